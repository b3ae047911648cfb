// The GraphiQL page's script, bundled once by build.sh into ../resources/graphiql/assets/ (vendored, so the
// page needs no CDN and the Maven build no Node; issue 12). Rebuild only to change GraphiQL's version or the tabs.
import 'graphiql/style.css';
import React from 'react';
import ReactDOM from 'react-dom/client';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';

// Monaco's workers, bundled beside this file and loaded from this origin (the CSP allows only 'self').
globalThis.MonacoEnvironment = {
    getWorker(_workerId, label) {
        const base = new URL('./', import.meta.url);
        switch (label) {
            case 'json':
                return new Worker(new URL('json.worker.js', base), { type: 'module' });
            case 'graphql':
                return new Worker(new URL('graphql.worker.js', base), { type: 'module' });
        }
        return new Worker(new URL('editor.worker.js', base), { type: 'module' });
    },
};

const params = new URLSearchParams(window.location.search);
const path = params.get("path") || "/graphql";
const url = `${location.protocol}//${location.host}${path}`;
const wsPath = params.get("wsPath") || "/graphql";
const wsProtocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
const subscriptionUrl = `${wsProtocol}//${location.host}${wsPath}`;
const gqlFetcher = createGraphiQLFetcher({'url': url, 'subscriptionUrl': subscriptionUrl});
const plugins = [HISTORY_PLUGIN];

// Saved example operations: each opens in its own tab. Run them top to bottom: register, log in
// (the HttpOnly session cookie then authenticates the other tabs), read your account and ledger.
const defaultTabs = [
    { query: `# 1. Create an account (signup credits are granted at once)
mutation Register {
  register(input: {
    name: "Ada Lovelace"
    email: "ada@example.com"
    username: "ada"
    password: "analytical engine 1843"
    acceptedPolicyVersion: "2026-01"
  }) {
    __typename
    ... on Registered { account { id username credits { available held debt } } }
    ... on ValidationFailed { invalidField: field message }
    ... on AlreadyTaken { field }
  }
}` },
    { query: `# 2. Log in: answers a bearer token and sets the session cookie
mutation Login {
  login(input: { usernameOrEmail: "ada", password: "analytical engine 1843" }) {
    __typename
    ... on LoggedIn { token account { username } }
    ... on InvalidCredentials { message }
  }
}` },
    { query: `# 3. Who am I, and how many credits do I have? (null when not signed in)
query Me {
  me { id username name email createdAt credits { available held debt } }
}` },
    { query: `# 4. My credit ledger, newest first (Relay pagination: pass pageInfo.endCursor as after)
query Ledger {
  creditLedger(first: 10) {
    edges { cursor node { id kind amount createdAt reference } }
    pageInfo { hasNextPage endCursor }
  }
}` },
    { query: `# 5. Send a prompt (a new conversation; pass conversationId to continue one). Credits for its maximum
# cost are held at once; the answer streams in the next tab and is stored in the conversation either way.
mutation SendPrompt {
  sendPrompt(input: { content: "Explain event sourcing in two sentences.", idempotencyKey: "example-1" }) {
    __typename
    ... on PromptAccepted { promptId conversationId heldCredits }
    ... on InsufficientCredits { available required }
    ... on ValidationFailed { field message }
    ... on Busy { retryAfterSeconds }
  }
}` },
    { query: `# 6. Stream the answer (graphql-ws over /graphql): paste the promptId from tab 5
subscription Stream {
  promptStream(promptId: "PASTE-PROMPT-ID") {
    seq delta done failureCode
    usage { promptTokens cachedTokens completionTokens costCredits estimated priceVersion }
  }
}` },
    { query: `# 7. My conversations, newest first, with their messages and the cost of each answer
query Conversations {
  conversations(first: 5) {
    edges { node { id title createdAt messages { id parentId role content servedBy
      usage { promptTokens cachedTokens completionTokens costCredits estimated } } } }
    pageInfo { hasNextPage endCursor }
  }
  usageSummary(days: 7) { day model answers costCredits }
  models { id contextLength inputCacheHitPerMillion inputCacheMissPerMillion outputPerMillion priceVersion }
}` },
    { query: `# 8. End the session (the token and the cookie stop working)
mutation Logout { logout }` },
];


function App() {
    return React.createElement(GraphiQL, {
        fetcher: gqlFetcher,
        defaultEditorToolsVisibility: true,
        headerEditorEnabled: true,
        shouldPersistHeaders: true,
        plugins: plugins,
        defaultTabs: defaultTabs,
    });
}

const container = document.getElementById('graphiql');
const root = ReactDOM.createRoot(container);
root.render(React.createElement(App));
