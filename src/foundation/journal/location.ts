import {join, resolve} from 'node:path'

import {rickHome} from '../paths.js'

/** Where the journal lives: `RICK_JOURNAL`, else `<rickHome>/journal.db`. */
export function defaultJournalPath(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.RICK_JOURNAL) return resolve(cwd, env.RICK_JOURNAL)
  return join(rickHome(cwd, env), 'journal.db')
}

/** An explicit path (a `--journal` flag) relative to cwd, else the default. */
export function resolveJournalPath(explicit: string | undefined, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  return explicit ? resolve(cwd, explicit) : defaultJournalPath(cwd, env)
}
