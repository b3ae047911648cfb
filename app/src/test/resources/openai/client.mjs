// Drives /v1 with the official openai npm client, as a developer would; prints one JSON line with the outcome.
// Usage: node client.mjs <baseURL> <apiKey> <models|complete|stream> [model] [idempotencyKey]
import OpenAI from 'openai';

const [, , baseURL, apiKey, step, model, idempotencyKey] = process.argv;
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60000 });
const messages = [{ role: 'user', content: 'Say hello to the end-to-end test' }];
const options = idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {};
const out = (value) => console.log(JSON.stringify(value));

try {
  if (step === 'models') {
    const page = await client.models.list();
    out({ ids: page.data.map((m) => m.id) });
  } else if (step === 'complete') {
    const { data, response } = await client.chat.completions
      .create({ model, messages, max_tokens: 64 }, options).withResponse();
    out({ id: data.id, object: data.object, content: data.choices[0].message.content,
      finish: data.choices[0].finish_reason, usage: data.usage,
      conversationId: response.headers.get('x-kimi-conversation-id') });
  } else if (step === 'stream') {
    const { data: stream, response } = await client.chat.completions
      .create({ model, messages, max_tokens: 64, stream: true, stream_options: { include_usage: true } }, options)
      .withResponse();
    let content = '';
    let usage = null;
    let chunks = 0;
    let finish = null;
    for await (const chunk of stream) {
      chunks++;
      const choice = chunk.choices[0];
      if (choice?.delta?.content) content += choice.delta.content;
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    out({ content, usage, chunks, finish, conversationId: response.headers.get('x-kimi-conversation-id') });
  } else {
    out({ error: { status: -1, message: 'unknown step ' + step } });
  }
} catch (e) {
  if (e instanceof OpenAI.APIError) {
    out({ error: { status: e.status ?? -1, code: e.code ?? null, type: e.type ?? null, message: e.message,
      retryAfter: e.headers?.get?.('retry-after') ?? null } });
  } else {
    out({ error: { status: -1, message: String(e) } });
  }
}
