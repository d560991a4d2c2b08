// A complete MCPEG plugin: a small notes service with tools, a resource template, a prompt and
// completions. docs/plugins.md walks through it; test/core/example-plugin.test.ts loads it.
import { defineServiceType, GatewayError, z } from 'mcpeg/sdk';

export default defineServiceType({
  name: 'notes',
  version: '1.0.0',
  category: 'generic',
  description: 'Keeps short notes in memory: add, list, search, read them as resources',
  capabilities: ['tools', 'resources', 'prompts', 'completions'],
  gateway: '>=0.1.0 <2',
  configSchema: z.strictObject({
    max_notes: z.number().int().min(1).max(100_000).default(1000),
    seed: z.array(z.string().max(10_000)).default([]),
  }),
  create({ config, listChanged, resourceUpdated, logger }) {
    const notes = new Map();
    let next = 1;
    const add = (text) => {
      if (notes.size >= config.max_notes) {
        throw new GatewayError('INVALID_ARGUMENTS', `the notebook is full (max_notes: ${config.max_notes}); delete a note first`);
      }
      const note = { id: String(next++), text, created: new Date().toISOString() };
      notes.set(note.id, note);
      return note;
    };
    for (const text of config.seed) add(text);
    const text = (value) => ({ content: [{ type: 'text', text: value }] });

    return {
      async start() {
        logger.info({ notes: notes.size }, 'notebook ready');
      },
      tools: () => [
        {
          name: 'add_note',
          description: 'Add a note; returns its id',
          inputSchema: { type: 'object', properties: { text: { type: 'string', minLength: 1, maxLength: 10_000 } }, required: ['text'] },
          annotations: { readOnlyHint: false, destructiveHint: false },
          async call({ text: body }) {
            const note = add(body);
            resourceUpdated(`notes://${note.id}`);
            return { ...text(`added note ${note.id}`), structuredContent: note };
          },
        },
        {
          name: 'list_notes',
          description: 'List every note, oldest first',
          inputSchema: { type: 'object', properties: {} },
          annotations: { readOnlyHint: true },
          async call() {
            const all = [...notes.values()];
            return { ...text(all.map((note) => `${note.id}: ${note.text}`).join('\n') || '(no notes)'), structuredContent: { notes: all } };
          },
        },
        {
          name: 'search_notes',
          description: 'Find notes containing a word or phrase (case-insensitive)',
          inputSchema: { type: 'object', properties: { query: { type: 'string', minLength: 1 } }, required: ['query'] },
          annotations: { readOnlyHint: true },
          async call({ query }, ctx) {
            const needle = query.toLowerCase();
            const hits = [];
            let seen = 0;
            for (const note of notes.values()) {
              if (ctx.signal.aborted) throw ctx.signal.reason;
              if (note.text.toLowerCase().includes(needle)) hits.push(note);
              if (++seen % 100 === 0) await ctx.progress(seen, notes.size, 'searching');
            }
            return { ...text(hits.map((note) => `${note.id}: ${note.text}`).join('\n') || 'no match'), structuredContent: { notes: hits } };
          },
        },
        {
          name: 'delete_note',
          description: 'Delete a note by id',
          inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          annotations: { destructiveHint: true },
          async call({ id }) {
            if (!notes.delete(id)) return { ...text(`no note ${id}`), isError: true };
            listChanged('resources');
            return text(`deleted note ${id}`);
          },
        },
      ],
      resourceTemplates: () => [
        {
          uriTemplate: 'notes://{id}',
          name: 'note',
          description: 'One note by id',
          mimeType: 'text/plain',
          async read(uri, { id }) {
            const note = notes.get(String(id));
            if (!note) throw new GatewayError('UNKNOWN_RESOURCE', `Resource not found: ${uri}`, { data: { uri } });
            return { contents: [{ uri, mimeType: 'text/plain', text: note.text }] };
          },
          complete: { id: (value) => [...notes.keys()].filter((id) => id.startsWith(value)) },
        },
      ],
      prompts: () => [
        {
          name: 'summarize_notes',
          description: 'Ask the model to summarize the notes that mention a topic',
          arguments: [{ name: 'topic', description: 'What the summary is about', required: true }],
          async get({ topic }) {
            const hits = [...notes.values()].filter((note) => note.text.toLowerCase().includes(topic.toLowerCase()));
            return {
              messages: [
                {
                  role: 'user',
                  content: { type: 'text', text: `Summarize these notes about ${topic}:\n${hits.map((note) => `- ${note.text}`).join('\n') || '(none)'}` },
                },
              ],
            };
          },
          complete: {
            topic: (value) => {
              const words = new Set([...notes.values()].flatMap((note) => note.text.toLowerCase().match(/[a-z]{4,}/g) ?? []));
              return [...words].filter((word) => word.startsWith(value.toLowerCase())).sort();
            },
          },
        },
      ],
    };
  },
});
