// .vscode/tasks.json: the tasks the issue asks for exist, each calls the local rick (or an npm script
// of package.json), and every rick command in them is real: the built CLI prints its help, and its
// flags, arguments and sector names exist. A typo in a task fails here, not in a user's editor.
import {readFileSync} from 'node:fs'
import {isAbsolute, join, resolve} from 'node:path'
import {parse as parseYaml} from 'yaml'
import {describe, expect, it} from 'vitest'

import {REPO_ROOT, RICK_BIN, rick} from '../helpers/cli.js'

interface TaskArg {
  value: string
}
interface Task {
  label: string
  type: string
  command: string
  args?: Array<string | TaskArg>
  group?: string | {kind: string; isDefault?: boolean}
  problemMatcher?: unknown
}
interface Input {
  id: string
  type: string
  options?: Array<string | {value: string}>
  default?: string
}

/** JSON with comments (what VS Code accepts) to JSON: comments outside strings removed, trailing commas dropped. */
export function stripJsonc(text: string): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1
      out += text.slice(i, j + 1)
      i = j + 1
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end === -1 ? text.length : end + 2
    } else {
      out += c
      i++
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1')
}

const tasksFile = JSON.parse(stripJsonc(readFileSync(join(REPO_ROOT, '.vscode', 'tasks.json'), 'utf8'))) as {version: string; tasks: Task[]; inputs?: Input[]}
const inputs = new Map((tasksFile.inputs ?? []).map((i) => [i.id, i]))
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, {flags: Record<string, {name: string; char?: string; type: 'boolean' | 'option'}>; args: Record<string, {name: string}>}>
}
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {scripts: Record<string, string>}).scripts
const sectors = Object.keys((parseYaml(readFileSync(join(REPO_ROOT, 'config', 'trading_sectors.yaml'), 'utf8')) as {sectors: Record<string, unknown>}).sectors)

/** The words a task runs, `${workspaceFolder}` resolved. */
function taskWords(task: Task): string[] {
  const words = task.args ? [task.command, ...task.args.map((a) => (typeof a === 'string' ? a : a.value))] : splitWords(task.command)
  return words.map((w) => w.replaceAll('${workspaceFolder}', REPO_ROOT))
}

/** Shell words of a command string: spaces split, single or double quotes group. */
function splitWords(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

/** Every concrete command line: each option of a pickString input, the default of a promptString. */
function expand(words: string[]): string[][] {
  const at = words.findIndex((w) => /\$\{input:[^}]+\}/.test(w))
  if (at === -1) return [words]
  const id = /\$\{input:([^}]+)\}/.exec(words[at]!)![1]!
  const input = inputs.get(id)
  if (!input) throw new Error(`\${input:${id}} is used but no input has id "${id}"`)
  const values = input.type === 'pickString' ? (input.options ?? []).map((o) => (typeof o === 'string' ? o : o.value)) : [input.default ?? '']
  if (values.length === 0 || values.some((v) => v === '')) throw new Error(`input "${id}" (${input.type}) gives no value to test with`)
  return values.flatMap((v) => expand(words.map((w, i) => (i === at ? w.replace(`\${input:${id}}`, v) : w))))
}

interface RickCall {
  label: string
  /** What follows `node bin/run.js`. */
  argv: string[]
}

const isLocalRick = (words: string[]) => words[0] === 'node' && words[1] !== undefined && resolve(REPO_ROOT, words[1]) === RICK_BIN

const rickCalls: RickCall[] = tasksFile.tasks.flatMap((task) => {
  const words = taskWords(task)
  return isLocalRick(words) ? expand(words).map((w) => ({label: task.label, argv: w.slice(2)})) : []
})

/** The command id (`snapshot:create`) of argv: its longest leading run of words that names a command. */
function commandId(argv: string[]): {id: string; rest: string[]} | undefined {
  const lead = argv.findIndex((w) => w.startsWith('-'))
  const words = lead === -1 ? argv : argv.slice(0, lead)
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':')
    if (manifest.commands[id]) return {id, rest: argv.slice(n)}
  }
  return undefined
}

/** Flags and arguments of argv checked against the command's manifest entry; returns the problems. */
function argvProblems(argv: string[]): string[] {
  const found = commandId(argv)
  if (!found) return [`no rick command in: ${argv.join(' ')}`]
  const {flags, args} = manifest.commands[found.id]!
  const problems: string[] = []
  const positional: string[] = []
  for (let i = 0; i < found.rest.length; i++) {
    const w = found.rest[i]!
    if (!w.startsWith('-')) {
      positional.push(w)
      continue
    }
    const name = w.replace(/^--?/, '').split('=')[0]!
    const flag = w.startsWith('--') ? flags[name] : Object.values(flags).find((f) => f.char === name)
    if (!flag) problems.push(`${found.id.replace(/:/g, ' ')} has no flag ${w}`)
    else if (flag.type === 'option' && !w.includes('=')) i++
  }
  const argNames = Object.keys(args)
  if (positional.length > argNames.length) problems.push(`${found.id} takes ${argNames.length} argument(s), given ${positional.join(' ')}`)
  positional.forEach((value, i) => {
    if (argNames[i] === 'sector' && !sectors.includes(value)) problems.push(`sector "${value}" is not in config/trading_sectors.yaml (${sectors.join(', ')})`)
  })
  return problems
}

describe('.vscode/tasks.json', () => {
  it('is a tasks file of version 2.0.0 with unique labels', () => {
    expect(tasksFile.version).toBe('2.0.0')
    const labels = tasksFile.tasks.map((t) => t.label)
    expect(new Set(labels).size).toBe(labels.length)
  })

  it('has the tasks the README promises', () => {
    const labels = tasksFile.tasks.map((t) => t.label)
    for (const label of ['Run OANDA (practice)', 'Run Coinbase (canary)', 'Run IBKR (paper)', 'Create snapshot', 'Validate config', 'Test', 'Status', 'Journal tail', 'Check env']) {
      expect(labels, label).toContain(label)
    }
    const argvOf = (label: string) => rickCalls.find((c) => c.label === label)?.argv
    expect(argvOf('Run OANDA (practice)')).toEqual(['run', 'oanda', '--practice'])
    expect(argvOf('Run Coinbase (canary)')).toEqual(['run', 'coinbase', '--canary'])
    expect(argvOf('Run IBKR (paper)')).toEqual(['run', 'ibkr', '--paper'])
    // Every configured sector can be backtested from a task (its own, or the sector picker).
    const backtested = new Set(rickCalls.filter((c) => c.argv[0] === 'backtest').map((c) => c.argv[1]))
    expect([...backtested].sort()).toEqual([...sectors].sort())
  })

  it('every task calls the local rick (node bin/run.js) or an npm script of package.json', () => {
    for (const task of tasksFile.tasks) {
      const words = taskWords(task)
      if (isLocalRick(words)) continue
      expect(words[0], `${task.label}: ${words.join(' ')}`).toBe('npm')
      const script = words[1] === 'run' || words[1] === 'run-script' ? words[2] : words[1]
      expect(Object.keys(scripts), `${task.label}: npm ${words.slice(1).join(' ')}`).toContain(script)
    }
    const test = tasksFile.tasks.find((t) => t.label === 'Test')!
    expect(taskWords(test)).toEqual(['npm', 'test'])
    expect(test.group).toEqual({kind: 'test', isDefault: true})
  })

  it("every rick task's command, flags, arguments and sectors exist", () => {
    expect(rickCalls.length).toBeGreaterThan(10)
    const problems = rickCalls.flatMap((c) => argvProblems(c.argv).map((p) => `${c.label}: ${p}`))
    expect(problems).toEqual([])
  })

  it('the check above catches typos', () => {
    expect(argvProblems(['snapshot', 'creat'])).toEqual(['no rick command in: snapshot creat'])
    expect(argvProblems(['run', 'oanda', '--practise'])).toEqual(['run has no flag --practise'])
    expect(argvProblems(['backtest', 'oandaa'])).toEqual([`sector "oandaa" is not in config/trading_sectors.yaml (${sectors.join(', ')})`])
    expect(argvProblems(['backtest', 'oanda', '--bars', '5', '-x'])).toEqual(['backtest has no flag -x'])
  })

  it('the built CLI prints the help of every rick task (exit 0)', async () => {
    const results = await Promise.all(rickCalls.map(async (c) => ({c, r: await rick([...c.argv, '--help'], {cwd: REPO_ROOT})})))
    for (const {c, r} of results) {
      const id = commandId(c.argv)?.id ?? '?'
      expect(r.exitCode, `${c.label}: rick ${c.argv.join(' ')} --help\n${r.stderr}`).toBe(0)
      expect(r.stdout, c.label).toContain(`$ rick ${id.replace(/:/g, ' ')}`)
    }
    // And a typo'd command does not print help.
    expect((await rick(['snapshot', 'creat', '--help'], {cwd: REPO_ROOT})).exitCode).not.toBe(0)
  })

  it('"Validate config" puts real diagnostics in the Problems panel (its problemMatcher matches them)', async () => {
    const task = tasksFile.tasks.find((t) => t.label === 'Validate config')!
    const matcher = task.problemMatcher as {fileLocation: unknown; pattern: {regexp: string; file: number; line: number; column: number; severity: number; message: number}}
    expect(matcher.fileLocation).toEqual(['relative', '${workspaceFolder}'])
    const file = join('test', 'fixtures', 'config', 'broken', 'mode-typo.yaml')
    const r = await rick([...taskWords(task).slice(2), '--file', file], {cwd: REPO_ROOT})
    expect(r.exitCode).toBe(2)
    const re = new RegExp(matcher.pattern.regexp)
    const hits = (r.stdout + '\n' + r.stderr).split('\n').map((l) => re.exec(l)).filter((m): m is RegExpExecArray => m !== null)
    expect(hits.length).toBeGreaterThan(0)
    for (const m of hits) {
      expect(m[matcher.pattern.file]).toBe(file)
      expect(isAbsolute(m[matcher.pattern.file]!)).toBe(false)
      expect(Number(m[matcher.pattern.line])).toBeGreaterThan(0)
      expect(Number(m[matcher.pattern.column])).toBeGreaterThan(0)
      expect(m[matcher.pattern.severity]).toBe('error')
      expect(m[matcher.pattern.message]!.length).toBeGreaterThan(0)
    }
  })

  it('stripJsonc removes comments outside strings only', () => {
    const text = '{\n  // a comment\n  "url": "http://x//y", /* block */ "list": [1, 2,],\n}'
    expect(JSON.parse(stripJsonc(text))).toEqual({url: 'http://x//y', list: [1, 2]})
  })
})
