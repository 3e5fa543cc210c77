#!/usr/bin/env node
// The crmsync command. Sources are TypeScript run through tsx, so a clean clone works right
// after `npm install` with no build step and no stale build to go wrong.
import { register } from 'tsx/esm/api'

register()
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
