// Never finishes loading.
for (;;) { /* spin */ }
export default {name: 'endless-top-level', description: 'hostile', paramsSchema: {type: 'object', properties: {}}, create: () => ({})}
