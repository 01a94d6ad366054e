import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {readNewPin} from '../../foundation/charter/pin-input.js'
import {pinFilePath} from '../../foundation/charter/store.js'
import {formatWait} from '../../foundation/charter/pin-attempts.js'
import {initCharterPin, type InitPinResult} from '../../sectors/charter-service.js'

export default class CharterInit extends BaseCommand {
  static override description = `Set the charter PIN that guards canary and live approvals.

The PIN needs at least 6 characters, at least 3 different ones, not only whitespace, and must not
be a run (123456, abcdef, qwerty), a repeated block (121212, abcabc) or a common password. It is stored only as a scrypt hash in .rick/charter/pin.json
(RICK_HOME/charter/pin.json when RICK_HOME is set), mode 0600 in a 0700 folder, together with
the public half of a signing key derived from it. Approvals are signed with that key, so whoever
can edit rick's files but does not know the PIN cannot create or alter an approval.

To change the PIN, run this again: it asks for the current PIN first. A new PIN voids every
existing approval (they were signed with the old key).

The PIN is asked on the terminal without echo (twice, to catch typos). With --pin-stdin it is read
from stdin instead: one line with the new PIN, or two lines (current, then new) when a PIN is set.

Wrong current PINs count like wrong PINs at approval: after each one the next try waits longer
(1, 2, 4, 8 s), and 5 in a row lock PIN entry for 15 minutes (each further wrong PIN doubles it, up
to 24 h). Every try is recorded in .rick/charter/pin-attempts.jsonl. The lockout ends by itself at
the time rick names; nothing lifts it early, since anyone at the terminal (an agent too) could.

Forgotten PIN: delete .rick/charter/pin.json and run this again. Every approval is void then, so
canary and live need a person to approve again with the new PIN.

Exit codes: 0 PIN set, 2 PIN too short or too weak or the two entries differ, 3 wrong current PIN
or PIN entry locked.`

  static override examples = [
    {description: 'Choose a PIN (asked twice, hidden)', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Automation: set the first PIN from a secret store', command: 'pass show rick/pin | <%= config.bin %> <%= command.id %> --pin-stdin'},
    {description: 'Automation: change the PIN (current, then new)', command: `printf '%s\\n%s\\n' "$OLD_PIN" "$NEW_PIN" | <%= config.bin %> <%= command.id %> --pin-stdin`},
  ]

  static override enableJsonFlag = true

  static override flags = {
    'pin-stdin': Flags.boolean({description: 'Read the PIN(s) from stdin, one per line, instead of asking on the terminal.'}),
  }

  async run(): Promise<InitPinResult> {
    const {flags} = await this.parse(CharterInit)
    const result = await initCharterPin(
      {
        pins: (needOld) => readNewPin({stdin: flags['pin-stdin']}, needOld),
        onWait: (ms, failures) => this.note(`${failures} wrong PIN(s) in a row: waiting ${formatWait(ms)} before this try…`),
      },
      {},
    )
    if (!this.jsonEnabled()) {
      this.log(`${result.replaced ? 'Charter PIN changed' : 'Charter PIN set'} (signing key ${result.keyId}).`)
      this.log(`Stored as a scrypt hash in ${pinFilePath(result.home)} (mode 0600).`)
      if (result.voidedApprovals > 0) {
        this.note(`Warning: ${result.voidedApprovals} approval(s) signed with the old PIN are void now: run \`rick charter approve\` again.`)
      }
    }
    return result
  }
}
