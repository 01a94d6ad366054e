// Flags that several commands share, defined once so their names and help read the same everywhere.
import {Flags} from '@oclif/core'

/** `--file/-f`: which sector config to read. */
export const configFileFlag = Flags.string({
  char: 'f',
  description: 'Config file to read (default: RICK_CONFIG, else config/trading_sectors.yaml of the project).',
})

/** `--journal PATH`: which journal to read or write. */
export const journalFlag = Flags.string({
  description: 'Journal file (default: RICK_JOURNAL, else journal.db in the data folder: RICK_HOME or .rick/ of the project).',
  helpValue: 'PATH',
})
