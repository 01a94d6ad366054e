#!/usr/bin/env -S node --import tsx --no-warnings
// Runs rick from the TypeScript sources (core commands); sector plugins use their built dist.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
