#!/bin/sh
# Rebuilds the vendored GraphiQL bundle in ../resources/graphiql/assets (run by hand; the Maven build never runs
# Node). Needs node and npm.
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund --legacy-peer-deps
out=../resources/graphiql/assets
rm -rf "$out" && mkdir -p "$out"
npx esbuild graphiql-app.js node_modules/monaco-editor/esm/vs/editor/editor.worker.js \
  node_modules/monaco-editor/esm/vs/language/json/json.worker.js node_modules/monaco-graphql/esm/graphql.worker.js \
  --bundle --format=esm --minify --outdir="$out" --entry-names='[name]' --loader:.ttf=file --asset-names='[name]' \
  --define:process.env.NODE_ENV='"production"' --legal-comments=none --alias:monaco-graphql/esm/utils=./node_modules/monaco-graphql/esm/utils.js
