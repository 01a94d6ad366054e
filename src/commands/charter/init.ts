import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {readNewPin} from '../../foundation/charter/pin-input.js'
import {pinFilePath} from '../../foundation/charter/store.js'
import {initCharterPin, pinIsSet, type InitPinResult} from '../../sectors/charter-service.js'

export default class CharterInit extends BaseCommand {
  static override description = `Set the charter PIN that guards canary and live approvals.

The PIN (at least 6 characters) is stored only as a scrypt hash in .rick/charter/pin.json
(RICK_HOME/charter/pin.json when RICK_HOME is set), mode 0600 in a 0700 folder, together with
the public half of a signing key derived from it. Approvals are signed with that key, so whoever
can edit rick's files but does not know the PIN cannot create or alter an approval.

To change the PIN, run this again: it asks for the current PIN first. A new PIN voids every
existing approval (they were signed with the old key).

The PIN is asked on the terminal without echo (twice, to catch typos). With --pin-stdin it is read
from stdin instead: one line with the new PIN, or two lines (current, then new) when a PIN is set.

Exit codes: 0 PIN set, 2 PIN too short or the two entries differ, 3 wrong current PIN.`

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
    const needOld = pinIsSet({})
    const {pin, oldPin} = await readNewPin({stdin: flags['pin-stdin']}, needOld)
    const result = await initCharterPin({pin, oldPin}, {})
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
