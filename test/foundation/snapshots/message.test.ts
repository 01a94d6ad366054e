import {describe, expect, it} from 'vitest'

import {formatSnapshotMessage, parseSnapshotMessage, snapshotMessage, type SnapshotFacts} from '../../../src/foundation/snapshots/message.js'

const facts: SnapshotFacts = {
  message: 'before tuning\n\nlonger explanation',
  trigger: 'pre-restore',
  time: '2025-03-01T09:30:00.123Z',
  head: 'a'.repeat(40),
  branch: 'feature/x',
  filesChanged: 12,
}

describe('snapshot messages', () => {
  it('round-trip every fact through the trailers', () => {
    const text = formatSnapshotMessage(facts)
    expect(text).toBe(
      `before tuning\n\nlonger explanation\n\nRick-Snapshot: 1\nRick-Trigger: pre-restore\nRick-Time: 2025-03-01T09:30:00.123Z\nRick-Head: ${'a'.repeat(40)}\nRick-Branch: feature/x\nRick-Files-Changed: 12\n`,
    )
    expect(parseSnapshotMessage(text, 'unused')).toEqual(facts)
  })

  it('leave the head and branch trailers out when they are null, and read them back as null', () => {
    const bare = {...facts, head: null, branch: null}
    const text = formatSnapshotMessage(bare)
    expect(text).not.toContain('Rick-Head')
    expect(text).not.toContain('Rick-Branch')
    expect(parseSnapshotMessage(text, 'unused')).toEqual(bare)
  })

  it('treat a commit without rick trailers as a plain manual snapshot at the commit time', () => {
    expect(parseSnapshotMessage('made by hand\n', '2024-01-01T00:00:00.000Z')).toEqual({
      message: 'made by hand',
      trigger: 'manual',
      time: '2024-01-01T00:00:00.000Z',
      head: null,
      branch: null,
      filesChanged: 0,
    })
  })

  it('fall back to manual for an unknown trigger', () => {
    const text = formatSnapshotMessage(facts).replace('Rick-Trigger: pre-restore', 'Rick-Trigger: yolo')
    expect(parseSnapshotMessage(text, 'unused').trigger).toBe('manual')
  })

  it('default an empty message to the trigger and trim the rest', () => {
    expect(snapshotMessage(undefined, 'engine-start')).toBe('engine-start snapshot')
    expect(snapshotMessage('   \n ', 'manual')).toBe('manual snapshot')
    expect(snapshotMessage('  hi\r\nthere  ', 'manual')).toBe('hi\nthere')
  })
})
