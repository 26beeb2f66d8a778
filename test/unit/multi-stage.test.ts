import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeActionKind } from 'vscode-languageserver-types';
import { memoryBuildContext } from '../../server/src/model/build-context';
import { initShellParser } from '../../server/src/model/shell';
import {
  analyzeMultiStage,
  convertToMultiStage,
  CONVERT_TO_MULTI_STAGE_COMMAND,
  multiStageActions,
  multiStageEdit,
  type ConvertToMultiStageArgs,
  type MultiStageOptions,
  type RuntimeVariant,
} from '../../server/src/refactor/multi-stage';
import { docOf } from '../support/docs';

/**
 * "Convert to multi-stage build" as a table: input → expected output per ecosystem, each case also with
 * CRLF line endings. `variants` lists every runtime stage offered, in order; `output` is the text after the
 * first one (or the one named by `variant`).
 */

interface Case {
  name: string;
  code: string[];
  files?: Record<string, string>;
  options?: MultiStageOptions;
  variants?: RuntimeVariant[];
  variant?: RuntimeVariant;
  output?: string[];
  ask?: { reason: RegExp; candidates: string[] };
  none?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'Go, static (CGO_ENABLED=0): slim Debian, distroless/static and scratch, the CA bundle copied where missing',
    code: [
      'FROM golang:1.22-bookworm',
      'WORKDIR /src',
      'COPY go.mod go.sum ./',
      'RUN go mod download',
      'COPY . .',
      '# build',
      'RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app',
      '',
      '# the port',
      'EXPOSE 8080',
      'USER 65532',
      'CMD ["/out/app"]',
    ],
    variants: ['runtime', 'distroless', 'scratch'],
    output: [
      'FROM golang:1.22-bookworm AS build',
      'WORKDIR /src',
      'COPY go.mod go.sum ./',
      'RUN go mod download',
      'COPY . .',
      '# build',
      'RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app',
      '',
      'FROM debian:bookworm-slim',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /out/app /out/app',
      '',
      '# the port',
      'EXPOSE 8080',
      'USER 65532',
      'CMD ["/out/app"]',
    ],
  },
  {
    name: 'Go: the scratch variant',
    code: ['FROM golang:1.22-bookworm', 'WORKDIR /src', 'COPY . .', 'RUN CGO_ENABLED=0 go build -o /out/app .', 'USER 65532', 'CMD ["/out/app"]'],
    variant: 'scratch',
    output: [
      'FROM golang:1.22-bookworm AS build',
      'WORKDIR /src',
      'COPY . .',
      'RUN CGO_ENABLED=0 go build -o /out/app .',
      '',
      'FROM scratch',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /out/app /out/app',
      'USER 65532',
      'CMD ["/out/app"]',
    ],
  },
  {
    name: 'Go from an ARG-substituted image: the default maps to Debian, runtime ENV kept and build-only ENV left behind',
    code: [
      'ARG GO_VERSION=1.22',
      'FROM golang:${GO_VERSION}',
      'ENV CGO_ENABLED=0 GOFLAGS=-mod=vendor TZ=UTC',
      'WORKDIR /src',
      'COPY . .',
      'RUN go install ./cmd/server',
      'CMD ["server"]',
    ],
    variants: ['runtime', 'distroless', 'scratch'],
    output: [
      'ARG GO_VERSION=1.22',
      'FROM golang:${GO_VERSION} AS build',
      'ENV CGO_ENABLED=0 GOFLAGS=-mod=vendor TZ=UTC',
      'WORKDIR /src',
      'COPY . .',
      'RUN go install ./cmd/server',
      '',
      'FROM debian:bookworm-slim',
      'ENV TZ=UTC',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      // `go install` puts it in /go/bin, which is on the golang image's PATH only.
      'COPY --from=build /go/bin/server /usr/local/bin/server',
      'CMD ["server"]',
    ],
  },
  {
    name: 'Go on Alpine with cgo: an Alpine runtime, a user created again, the HEALTHCHECK kept, toolchain PATH dropped',
    code: [
      'ARG GO_VERSION=1.22',
      'FROM golang:${GO_VERSION}-alpine',
      'RUN apk add --no-cache git gcc musl-dev',
      'ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH APP_ENV=prod',
      'WORKDIR /go/src/app',
      'COPY . .',
      'RUN go build -o server .',
      'RUN addgroup -S app && adduser -S app -G app',
      'USER app',
      'HEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1',
      'CMD ["./server"]',
    ],
    variants: ['runtime'],
    output: [
      'ARG GO_VERSION=1.22',
      'FROM golang:${GO_VERSION}-alpine AS build',
      'RUN apk add --no-cache git gcc musl-dev',
      'ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:$PATH APP_ENV=prod',
      'WORKDIR /go/src/app',
      'COPY . .',
      'RUN go build -o server .',
      'RUN addgroup -S app && adduser -S app -G app',
      '',
      'FROM alpine:3',
      'ENV APP_ENV=prod',
      'WORKDIR /go/src/app',
      'COPY --from=build /go/src/app/server /go/src/app/server',
      'RUN addgroup -S app && adduser -S app -G app',
      'USER app',
      'HEALTHCHECK CMD wget -qO- http://localhost:8080/health || exit 1',
      'CMD ["./server"]',
    ],
  },
  {
    name: 'Go: `go build` without -o is named after the module in go.mod (build context)',
    code: ['FROM golang:1.21-bullseye', 'WORKDIR /app', 'COPY . .', 'RUN go build', 'ENTRYPOINT ["/app/hello", "--listen", ":80"]'],
    files: { 'go.mod': 'module github.com/acme/hello/v2\n\ngo 1.21\n', 'main.go': 'package main\n' },
    variants: ['runtime', 'distroless'],
    output: [
      'FROM golang:1.21-bullseye AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN go build',
      '',
      'FROM debian:bullseye-slim',
      'WORKDIR /app',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /app/hello /app/hello',
      'ENTRYPOINT ["/app/hello", "--listen", ":80"]',
    ],
  },
  {
    name: 'Go: the distroless variant of a cgo binary is distroless/base',
    code: ['FROM golang:1.21-bullseye', 'WORKDIR /app', 'COPY . .', 'RUN go build', 'ENTRYPOINT ["/app/hello", "--listen", ":80"]'],
    files: { 'go.mod': 'module example.com/hello\n' },
    variant: 'distroless',
    output: [
      'FROM golang:1.21-bullseye AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN go build',
      '',
      'FROM gcr.io/distroless/base-debian11',
      'WORKDIR /app',
      'COPY --from=build /app/hello /app/hello',
      'ENTRYPOINT ["/app/hello", "--listen", ":80"]',
    ],
  },
  {
    name: 'Rust: target/release/<package name from Cargo.toml>; RUST_LOG kept, CARGO_* dropped',
    code: ['FROM rust:1.78', 'WORKDIR /usr/src/app', 'COPY . .', 'RUN cargo build --release --locked', 'ENV RUST_LOG=info CARGO_TERM_COLOR=always', 'CMD ["my-app"]'],
    files: { 'Cargo.toml': '[package]\nname = "my-app"\nversion = "0.1.0"\n' },
    variants: ['runtime'],
    output: [
      'FROM rust:1.78 AS build',
      'WORKDIR /usr/src/app',
      'COPY . .',
      'RUN cargo build --release --locked',
      '',
      'FROM debian:bookworm-slim',
      'ENV RUST_LOG=info',
      '# The rust image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /usr/src/app',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/src/app/target/release/my-app /usr/src/app/target/release/my-app',
      'CMD ["my-app"]',
    ],
  },
  {
    name: 'Rust: `cp target/release/x /usr/local/bin/` after the build is followed, without Cargo.toml',
    code: ['FROM rust:1.78-bookworm', 'WORKDIR /src', 'COPY . .', 'RUN cargo build --release && cp target/release/tool /usr/local/bin/', 'CMD ["tool"]'],
    variants: ['runtime'],
    output: [
      'FROM rust:1.78-bookworm AS build',
      'WORKDIR /src',
      'COPY . .',
      'RUN cargo build --release && cp target/release/tool /usr/local/bin/',
      '',
      'FROM debian:bookworm-slim',
      '# The rust image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/local/bin/tool /usr/local/bin/tool',
      'CMD ["tool"]',
    ],
  },
  {
    name: 'Rust with a musl target: static, so scratch is offered',
    code: [
      'FROM rust:1.78-slim-bookworm',
      'RUN rustup target add x86_64-unknown-linux-musl',
      'WORKDIR /build',
      'COPY . .',
      'RUN cargo build --release --target x86_64-unknown-linux-musl',
      'CMD ["/build/target/x86_64-unknown-linux-musl/release/tool"]',
    ],
    files: { 'Cargo.toml': '[package]\nname = "tool"\n' },
    variants: ['runtime', 'distroless', 'scratch'],
    variant: 'scratch',
    output: [
      'FROM rust:1.78-slim-bookworm AS build',
      'RUN rustup target add x86_64-unknown-linux-musl',
      'WORKDIR /build',
      'COPY . .',
      'RUN cargo build --release --target x86_64-unknown-linux-musl',
      '',
      'FROM scratch',
      'WORKDIR /build',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /build/target/x86_64-unknown-linux-musl/release/tool /build/target/x86_64-unknown-linux-musl/release/tool',
      'CMD ["/build/target/x86_64-unknown-linux-musl/release/tool"]',
    ],
  },
  {
    name: 'Rust: `cargo install --path .` lands in $CARGO_HOME/bin, copied onto the PATH',
    code: ['FROM rust:1.78', 'WORKDIR /usr/src/app', 'COPY . .', 'RUN cargo install --path .', 'CMD ["myapp"]'],
    files: { 'Cargo.toml': '[package]\nname = "myapp"\n\n[dependencies]\n' },
    variants: ['runtime'],
    output: [
      'FROM rust:1.78 AS build',
      'WORKDIR /usr/src/app',
      'COPY . .',
      'RUN cargo install --path .',
      '',
      'FROM debian:bookworm-slim',
      '# The rust image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /usr/src/app',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/local/cargo/bin/myapp /usr/local/bin/myapp',
      'CMD ["myapp"]',
    ],
  },
  {
    name: 'Rust without Cargo.toml and a CMD by name: the binary is unknown, so it asks',
    code: ['FROM rust:1.78', 'WORKDIR /usr/src/app', 'COPY . .', 'RUN cargo build --release', 'CMD ["myapp"]'],
    ask: { reason: /where `cargo build` puts the program is not known/, candidates: ['/usr/src/app/target/release/myapp', '/usr/src/app/myapp', '/usr/src/app/target/release', '/usr/src/app'] },
  },
  {
    name: '… and once the user picked the binary',
    code: ['FROM rust:1.78', 'WORKDIR /usr/src/app', 'COPY . .', 'RUN cargo build --release', 'CMD ["./target/release/myapp"]'],
    options: { artifact: '/usr/src/app/target/release/myapp' },
    output: [
      'FROM rust:1.78 AS build',
      'WORKDIR /usr/src/app',
      'COPY . .',
      'RUN cargo build --release',
      '',
      'FROM debian:bookworm-slim',
      '# The rust image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /usr/src/app',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/src/app/target/release/myapp /usr/src/app/target/release/myapp',
      'CMD ["./target/release/myapp"]',
    ],
  },
  {
    name: 'C with gcc on Debian: the same image without the compiler (the libc headers need nothing)',
    code: ['FROM debian:bookworm', 'RUN apt-get update && apt-get install -y gcc libc6-dev', 'WORKDIR /src', 'COPY hello.c .', 'RUN gcc -O2 -o /usr/local/bin/hello hello.c', 'CMD ["hello"]'],
    variants: ['runtime', 'distroless'],
    output: [
      'FROM debian:bookworm AS build',
      'RUN apt-get update && apt-get install -y gcc libc6-dev',
      'WORKDIR /src',
      'COPY hello.c .',
      'RUN gcc -O2 -o /usr/local/bin/hello hello.c',
      '',
      'FROM debian:bookworm',
      'WORKDIR /src',
      'COPY --from=build /usr/local/bin/hello /usr/local/bin/hello',
      'CMD ["hello"]',
    ],
  },
  {
    name: 'C with the runtime base overridden (what the daemon test does)',
    code: ['FROM debian:bookworm', 'RUN apt-get update && apt-get install -y gcc', 'COPY hello.c /hello.c', 'RUN gcc -o /hello /hello.c', 'CMD ["/hello"]'],
    options: { runtimeBase: () => 'layerwise-test/debian:bookworm-local' },
    output: [
      'FROM debian:bookworm AS build',
      'RUN apt-get update && apt-get install -y gcc',
      'COPY hello.c /hello.c',
      'RUN gcc -o /hello /hello.c',
      '',
      'FROM layerwise-test/debian:bookworm-local',
      'COPY --from=build /hello /hello',
      'CMD ["/hello"]',
    ],
  },
  {
    name: 'C with configure/make install: the prefix, runtime libraries of -dev packages, ldconfig; the chmod of a copied file is not run twice',
    code: [
      'FROM buildpack-deps:bookworm',
      'RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libfoo-dev curl \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'COPY . /src',
      'RUN cd /src && ./configure --prefix=/usr/local && make -j4 && make install',
      'COPY docker-entrypoint.sh /usr/local/bin/',
      'RUN chmod +x /usr/local/bin/docker-entrypoint.sh',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["server"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM buildpack-deps:bookworm AS build',
      'RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev libfoo-dev curl \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'COPY . /src',
      'RUN cd /src && ./configure --prefix=/usr/local && make -j4 && make install',
      'COPY docker-entrypoint.sh /usr/local/bin/',
      'RUN chmod +x /usr/local/bin/docker-entrypoint.sh',
      '',
      'FROM debian:bookworm-slim',
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends libpq5 curl \\',
      ' && rm -rf /var/lib/apt/lists/*',
      '# The build used libfoo-dev: install the libraries the program links against, if any.',
      '# The buildpack-deps image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/local /usr/local',
      'RUN ldconfig',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["server"]',
    ],
  },
  {
    name: 'C with cmake into its own prefix on Ubuntu, a config file from the context, a setup RUN replayed',
    code: [
      'FROM ubuntu:22.04',
      'RUN apt-get update && apt-get install -y build-essential cmake libssl-dev && rm -rf /var/lib/apt/lists/*',
      'COPY . /src',
      'RUN cmake -S /src -B /build -DCMAKE_INSTALL_PREFIX=/opt/app && cmake --build /build && cmake --install /build',
      'RUN mkdir -p /var/lib/app && chown nobody /var/lib/app',
      'COPY config.yml /etc/app/config.yml',
      'USER nobody',
      'CMD ["/opt/app/bin/server", "--config", "/etc/app/config.yml"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM ubuntu:22.04 AS build',
      'RUN apt-get update && apt-get install -y build-essential cmake libssl-dev && rm -rf /var/lib/apt/lists/*',
      'COPY . /src',
      'RUN cmake -S /src -B /build -DCMAKE_INSTALL_PREFIX=/opt/app && cmake --build /build && cmake --install /build',
      'RUN mkdir -p /var/lib/app && chown nobody /var/lib/app',
      'COPY config.yml /etc/app/config.yml',
      '',
      'FROM ubuntu:22.04',
      'RUN apt-get update && apt-get install -y libssl3 && rm -rf /var/lib/apt/lists/*',
      'COPY --from=build /opt/app /opt/app',
      'COPY --from=build /etc/app/config.yml /etc/app/config.yml',
      'RUN mkdir -p /var/lib/app && chown nobody /var/lib/app',
      'USER nobody',
      'CMD ["/opt/app/bin/server", "--config", "/etc/app/config.yml"]',
    ],
  },
  {
    name: 'C with a plain make: the output is unknown, so it asks (the CMD path first)',
    code: ['FROM gcc:13', 'WORKDIR /src', 'COPY . .', 'RUN make', 'CMD ["server"]'],
    ask: { reason: /where `make` puts the program is not known/, candidates: ['/src/server', '/src'] },
  },
  {
    name: 'C with a plain make and `./server`: the CMD path says what to copy',
    code: ['FROM gcc:13', 'WORKDIR /src', 'COPY . .', 'RUN make', 'CMD ["./server"]'],
    output: [
      'FROM gcc:13 AS build',
      'WORKDIR /src',
      'COPY . .',
      'RUN make',
      '',
      'FROM debian:bookworm-slim',
      '# The gcc image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /src/server /src/server',
      'CMD ["./server"]',
    ],
  },
  {
    name: 'Node with vite (package.json in the context): a Node runtime, or the static files on nginx',
    code: [
      'FROM node:20-bookworm',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build',
      'EXPOSE 3000',
      'CMD ["npm", "run", "preview"]',
    ],
    files: { 'package.json': '{"scripts":{"build":"tsc && vite build","preview":"vite preview"}}', 'package-lock.json': '{}' },
    variants: ['runtime', 'nginx'],
    variant: 'nginx',
    output: [
      'FROM node:20-bookworm AS build',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build',
      '',
      'FROM nginx:stable-alpine',
      'COPY --from=build /app/dist /usr/share/nginx/html',
    ],
  },
  {
    name: 'Node: the Node runtime prunes devDependencies in the build stage',
    code: [
      'FROM node:20-bookworm',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build',
      'EXPOSE 3000',
      'CMD ["npm", "run", "preview"]',
    ],
    files: { 'package.json': '{"scripts":{"build":"tsc && vite build","preview":"vite preview"}}', 'package-lock.json': '{}' },
    variant: 'runtime',
    output: [
      'FROM node:20-bookworm AS build',
      'WORKDIR /app',
      'COPY package.json package-lock.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build',
      'RUN npm prune --omit=dev',
      '',
      'FROM node:20-bookworm-slim',
      'WORKDIR /app',
      'COPY --from=build /app/package.json /app/package.json',
      'COPY --from=build /app/node_modules /app/node_modules',
      'COPY --from=build /app/dist /app/dist',
      'EXPOSE 3000',
      'CMD ["npm", "run", "preview"]',
    ],
  },
  {
    name: 'Node without the context: `node dist/server.js` names the output folder; comments inside a continuation kept',
    code: ['FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci \\', '  # compile', '  && npm run build', 'ENV NODE_ENV=production', 'EXPOSE 3000', 'CMD ["node", "dist/server.js"]'],
    variants: ['runtime'],
    output: [
      'FROM node:20 AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN npm ci \\',
      '  # compile',
      '  && npm run build',
      'RUN npm prune --omit=dev',
      '',
      'FROM node:20-slim',
      'ENV NODE_ENV=production',
      'WORKDIR /app',
      'COPY --from=build /app/package.json /app/package.json',
      'COPY --from=build /app/node_modules /app/node_modules',
      'COPY --from=build /app/dist /app/dist',
      'EXPOSE 3000',
      'CMD ["node", "dist/server.js"]',
    ],
  },
  {
    name: 'Node: a server file next to the build output (tsc outDir from tsconfig.json), yarn prune',
    code: ['FROM node:18-alpine', 'WORKDIR /srv', 'COPY . .', 'RUN yarn install --frozen-lockfile && yarn build', 'CMD ["node", "server.js"]'],
    files: { 'package.json': '{"scripts":{"build":"tsc -p ."}}', 'tsconfig.json': '{"compilerOptions":{"outDir":"lib"}}', 'yarn.lock': '' },
    variants: ['runtime'],
    output: [
      'FROM node:18-alpine AS build',
      'WORKDIR /srv',
      'COPY . .',
      'RUN yarn install --frozen-lockfile && yarn build',
      'RUN yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline',
      '',
      'FROM node:18-alpine',
      'WORKDIR /srv',
      'COPY --from=build /srv/package.json /srv/package.json',
      'COPY --from=build /srv/node_modules /srv/node_modules',
      'COPY --from=build /srv/lib /srv/lib',
      'COPY --from=build /srv/server.js /srv/server.js',
      'CMD ["node", "server.js"]',
    ],
  },
  {
    name: 'Node: `yarn start` without package.json: the output folder is unknown, so it asks',
    code: ['FROM node:18', 'WORKDIR /usr/src/app', 'COPY . .', 'RUN yarn install --frozen-lockfile && yarn build', 'CMD ["yarn", "start"]'],
    ask: {
      reason: /the folder `yarn build` writes is not known \(package\.json is not available\)/,
      candidates: ['/usr/src/app/dist', '/usr/src/app/build', '/usr/src/app/.next', '/usr/src/app/out', '/usr/src/app/public', '/usr/src/app'],
    },
  },
  {
    name: 'Python on slim with gcc: wheels built in the build stage (install-only options dropped), the runtime library of libpq-dev',
    code: [
      'FROM python:3.12-slim',
      'RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir --upgrade -r requirements.txt',
      'COPY . .',
      'CMD ["gunicorn", "app:app"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM python:3.12-slim AS build',
      'RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN pip wheel --wheel-dir /wheels --no-cache-dir -r requirements.txt',
      'COPY . .',
      '',
      'FROM python:3.12-slim',
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends libpq5 \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'WORKDIR /app',
      'COPY --from=build /wheels /wheels',
      'COPY --from=build /app /app',
      'RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels',
      'CMD ["gunicorn", "app:app"]',
    ],
  },
  {
    name: 'Python on the full image: later build steps still get the packages; a pip self-upgrade is left alone; continuation lines kept',
    code: [
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN pip install --upgrade pip \\',
      '    && pip install \\',
      '        --upgrade \\',
      '        -r requirements.txt',
      'COPY . .',
      'RUN python manage.py collectstatic --noinput',
      'EXPOSE 8000',
      'CMD gunicorn mysite.wsgi --bind 0.0.0.0:8000',
    ],
    variants: ['runtime'],
    output: [
      'FROM python:3.12 AS build',
      'WORKDIR /app',
      'COPY requirements.txt .',
      'RUN pip install --upgrade pip \\',
      '    && pip wheel --wheel-dir /wheels \\',
      '        -r requirements.txt && pip install --no-index --find-links /wheels --upgrade -r requirements.txt',
      'COPY . .',
      'RUN python manage.py collectstatic --noinput',
      '',
      'FROM python:3.12-slim',
      '# The python image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /app',
      'COPY --from=build /wheels /wheels',
      'COPY --from=build /app /app',
      'RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels',
      'EXPOSE 8000',
      'CMD gunicorn mysite.wsgi --bind 0.0.0.0:8000',
    ],
  },
  {
    name: 'Python from an ARG-substituted image keeps the variable: python:${PYTHON_VERSION}-slim',
    code: ['ARG PYTHON_VERSION=3.12', 'FROM python:${PYTHON_VERSION}', 'WORKDIR /srv', 'COPY . .', 'RUN pip install --no-cache-dir .', 'CMD ["myapp"]'],
    variants: ['runtime'],
    output: [
      'ARG PYTHON_VERSION=3.12',
      'FROM python:${PYTHON_VERSION} AS build',
      'WORKDIR /srv',
      'COPY . .',
      'RUN pip wheel --wheel-dir /wheels --no-cache-dir .',
      '',
      'FROM python:${PYTHON_VERSION}-slim',
      '# The python image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /srv',
      'COPY --from=build /wheels /wheels',
      'COPY --from=build /srv /srv',
      'RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels',
      'CMD ["myapp"]',
    ],
  },
  {
    name: 'Python with a virtual environment: the venv is copied, its PATH kept, PIP_* left behind',
    code: [
      'FROM python:3.11-bookworm',
      'RUN python -m venv /opt/venv',
      'ENV PATH="/opt/venv/bin:$PATH" \\',
      '    PYTHONUNBUFFERED=1 \\',
      '    PIP_NO_CACHE_DIR=1',
      'COPY requirements.txt .',
      'RUN pip install -r requirements.txt',
      'WORKDIR /code',
      'COPY . .',
      'CMD ["python", "main.py"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM python:3.11-bookworm AS build',
      'RUN python -m venv /opt/venv',
      'ENV PATH="/opt/venv/bin:$PATH" \\',
      '    PYTHONUNBUFFERED=1 \\',
      '    PIP_NO_CACHE_DIR=1',
      'COPY requirements.txt .',
      'RUN pip install -r requirements.txt',
      'WORKDIR /code',
      'COPY . .',
      '',
      'FROM python:3.11-slim-bookworm',
      'ENV PATH="/opt/venv/bin:$PATH" PYTHONUNBUFFERED=1',
      '# The python image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /code',
      'COPY --from=build /opt/venv /opt/venv',
      'COPY --from=build /code /code',
      'CMD ["python", "main.py"]',
    ],
  },
  { name: 'Python: an editable install cannot be carried by wheels', code: ['FROM python:3.12', 'WORKDIR /srv', 'COPY . .', 'RUN pip install -e .', 'CMD ["myapp"]'], none: /pip install -e` installs outside site-packages/ },
  {
    name: 'Java with Maven: the jar CMD names, on the JRE of the same JDK',
    code: ['FROM maven:3.9-eclipse-temurin-21', 'WORKDIR /app', 'COPY . .', 'RUN mvn -B package -DskipTests', 'EXPOSE 8080', 'ENTRYPOINT ["java", "-jar", "/app/target/app.jar"]'],
    variants: ['runtime'],
    output: [
      'FROM maven:3.9-eclipse-temurin-21 AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN mvn -B package -DskipTests',
      '',
      'FROM eclipse-temurin:21-jre',
      'WORKDIR /app',
      'COPY --from=build /app/target/app.jar /app/target/app.jar',
      'EXPOSE 8080',
      'ENTRYPOINT ["java", "-jar", "/app/target/app.jar"]',
    ],
  },
  {
    name: 'Java with Gradle on Alpine: a glob jar, a chown to a user the runtime lacks is dropped',
    code: [
      'FROM gradle:8.7-jdk17-alpine',
      'WORKDIR /home/gradle/project',
      'COPY --chown=gradle:gradle . .',
      'RUN gradle bootJar --no-daemon',
      'EXPOSE 8080',
      'ENTRYPOINT java -jar /home/gradle/project/build/libs/*.jar',
    ],
    variants: ['runtime'],
    output: [
      'FROM gradle:8.7-jdk17-alpine AS build',
      'WORKDIR /home/gradle/project',
      'COPY --chown=gradle:gradle . .',
      'RUN gradle bootJar --no-daemon',
      '',
      'FROM eclipse-temurin:17-jre-alpine',
      'WORKDIR /home/gradle/project',
      'COPY --from=build /home/gradle/project/build/libs/*.jar /home/gradle/project/build/libs/',
      'EXPOSE 8080',
      'ENTRYPOINT java -jar /home/gradle/project/build/libs/*.jar',
    ],
  },
  {
    name: 'Java: a CMD that runs Maven needs the toolchain',
    code: ['FROM maven:3-openjdk-17', 'COPY . /app', 'WORKDIR /app', 'RUN mvn package', 'CMD ["mvn", "spring-boot:run"]'],
    none: /runs mvn when it starts/,
  },
  {
    name: 'Java: a classpath in a `sh -c` CMD names what to copy',
    code: ['FROM maven:3-eclipse-temurin-17', 'WORKDIR /app', 'COPY . .', 'RUN mvn package', 'CMD ["sh", "-c", "java $JAVA_OPTS -cp \\"target/classes:target/lib/*\\" com.acme.Main"]'],
    variants: ['runtime'],
    output: [
      'FROM maven:3-eclipse-temurin-17 AS build',
      'WORKDIR /app',
      'COPY . .',
      'RUN mvn package',
      '',
      'FROM eclipse-temurin:17-jre',
      'WORKDIR /app',
      'COPY --from=build /app/target/classes /app/target/classes',
      'COPY --from=build /app/target/lib/* /app/target/lib/',
      'CMD ["sh", "-c", "java $JAVA_OPTS -cp \\"target/classes:target/lib/*\\" com.acme.Main"]',
    ],
  },
  {
    name: 'Java: the jar name is a variable: it asks',
    code: ['FROM maven:3-eclipse-temurin-17', 'WORKDIR /app', 'COPY . .', 'RUN mvn package', 'CMD ["sh", "-c", "java -jar target/$APP.jar"]'],
    ask: { reason: /the jar the image runs is not known/, candidates: ['/app/target/*.jar', '/app/target', '/app'] },
  },
  {
    name: 'metadata moves with its comments, wherever it was; a user created in a mixed RUN is created again; build args re-declared',
    code: [
      'FROM golang:1.22',
      '# Set our command',
      'ENTRYPOINT ["app"]',
      'ARG VERSION=dev',
      'LABEL org.opencontainers.image.version=$VERSION',
      'RUN apt-get update && apt-get install -y --no-install-recommends tzdata \\',
      '    && useradd --system --uid 10001 app \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'WORKDIR /src',
      'COPY . .',
      'RUN go build -ldflags "-X main.version=${VERSION}" -o /usr/local/bin/app .',
      'USER app',
      '',
      '# vim: ft=dockerfile',
    ],
    variants: ['runtime'],
    output: [
      'FROM golang:1.22 AS build',
      'ARG VERSION=dev',
      'RUN apt-get update && apt-get install -y --no-install-recommends tzdata \\',
      '    && useradd --system --uid 10001 app \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'WORKDIR /src',
      'COPY . .',
      'RUN go build -ldflags "-X main.version=${VERSION}" -o /usr/local/bin/app .',
      '',
      'FROM debian:bookworm-slim',
      'ARG VERSION=dev',
      'RUN apt-get update \\',
      '    && apt-get install -y --no-install-recommends tzdata \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'RUN useradd --system --uid 10001 app',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /usr/local/bin/app /usr/local/bin/app',
      '# Set our command',
      'ENTRYPOINT ["app"]',
      'LABEL org.opencontainers.image.version=$VERSION',
      'USER app',
      '',
      '# vim: ft=dockerfile',
    ],
  },
  {
    name: 'the backtick escape, a comment inside a moved continuation, no final newline',
    code: ['# escape=`', 'FROM golang:1.22', 'WORKDIR /src', 'COPY . .', 'RUN go build `', '    # static', '    -o /bin/app .', '# run', 'ENTRYPOINT ["/bin/app", `', '  "serve"]'],
    variants: ['runtime', 'distroless'],
    output: [
      '# escape=`',
      'FROM golang:1.22 AS build',
      'WORKDIR /src',
      'COPY . .',
      'RUN go build `',
      '    # static',
      '    -o /bin/app .',
      '',
      'FROM debian:bookworm-slim',
      'WORKDIR /src',
      'COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
      'COPY --from=build /bin/app /bin/app',
      '# run',
      'ENTRYPOINT ["/bin/app", `',
      '  "serve"]',
    ],
  },
  {
    name: 'setup RUNs: before the install they run first; after the build only those that leave the copied files alone (no `>>` twice); a link made again is not copied',
    code: [
      'FROM debian:bookworm',
      "RUN sed -i 's/ main/ main contrib/' /etc/apt/sources.list.d/debian.sources",
      'RUN apt-get update && apt-get install -y --no-install-recommends build-essential apache2',
      'COPY . /src',
      'RUN cd /src && make && make install PREFIX=/opt/app',
      'RUN echo "extra=1" >> /opt/app/etc/app.conf',
      'RUN a2enmod rewrite',
      'RUN ln -s /opt/app/bin/app /usr/local/bin/app && mkdir -p /var/lib/app',
      'CMD ["app"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM debian:bookworm AS build',
      "RUN sed -i 's/ main/ main contrib/' /etc/apt/sources.list.d/debian.sources",
      'RUN apt-get update && apt-get install -y --no-install-recommends build-essential apache2',
      'COPY . /src',
      'RUN cd /src && make && make install PREFIX=/opt/app',
      'RUN echo "extra=1" >> /opt/app/etc/app.conf',
      'RUN a2enmod rewrite',
      'RUN ln -s /opt/app/bin/app /usr/local/bin/app && mkdir -p /var/lib/app',
      '',
      'FROM debian:bookworm',
      "RUN sed -i 's/ main/ main contrib/' /etc/apt/sources.list.d/debian.sources",
      'RUN apt-get update \\',
      '    && apt-get install -y --no-install-recommends apache2 \\',
      '    && rm -rf /var/lib/apt/lists/*',
      'COPY --from=build /opt/app /opt/app',
      'RUN a2enmod rewrite',
      'RUN ln -s /opt/app/bin/app /usr/local/bin/app && mkdir -p /var/lib/app',
      'CMD ["app"]',
    ],
  },
  {
    name: 'Node: `npm start` runs `node server/index.js` (package.json): the server folder goes along with webpack\'s dist',
    code: ['FROM node:20', 'WORKDIR /usr/src/app', 'COPY package*.json ./', 'RUN npm ci', 'COPY . .', 'RUN npm run build', 'EXPOSE 8080', 'CMD ["npm", "start"]'],
    files: { 'package.json': '{"scripts":{"build":"webpack --mode production","start":"node server/index.js"}}' },
    variants: ['runtime'],
    output: [
      'FROM node:20 AS build',
      'WORKDIR /usr/src/app',
      'COPY package*.json ./',
      'RUN npm ci',
      'COPY . .',
      'RUN npm run build',
      'RUN npm prune --omit=dev',
      '',
      'FROM node:20-slim',
      'WORKDIR /usr/src/app',
      'COPY --from=build /usr/src/app/package.json /usr/src/app/package.json',
      'COPY --from=build /usr/src/app/node_modules /usr/src/app/node_modules',
      'COPY --from=build /usr/src/app/dist /usr/src/app/dist',
      'COPY --from=build /usr/src/app/server /usr/src/app/server',
      'EXPOSE 8080',
      'CMD ["npm", "start"]',
    ],
  },
  {
    name: 'Python in a heredoc RUN: the pip install becomes wheels there; BuildKit is in use, so the runtime stage mounts the wheels',
    code: [
      'FROM python:3.12',
      'RUN apt-get update && apt-get install -y libpq-dev',
      'WORKDIR /app',
      'COPY . .',
      'RUN <<EOT',
      'set -e',
      'pip install --upgrade -r requirements.txt',
      'python -m compileall .',
      'EOT',
      'CMD ["python", "app.py"]',
    ],
    variants: ['runtime'],
    output: [
      'FROM python:3.12 AS build',
      'RUN apt-get update && apt-get install -y libpq-dev',
      'WORKDIR /app',
      'COPY . .',
      'RUN <<EOT',
      'set -e',
      'pip wheel --wheel-dir /wheels -r requirements.txt && pip install --no-index --find-links /wheels --upgrade -r requirements.txt',
      'python -m compileall .',
      'EOT',
      '',
      'FROM python:3.12-slim',
      'RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*',
      '# The python image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).',
      'WORKDIR /app',
      'COPY --from=build /app /app',
      'RUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install --no-cache-dir --no-index /wheels/*.whl',
      'CMD ["python", "app.py"]',
    ],
  },
  {
    name: 'a stage already named keeps its name; --platform=$BUILDPLATFORM stays with the build stage',
    code: [
      'FROM --platform=$BUILDPLATFORM golang:1.22 as builder',
      'ARG TARGETARCH',
      'WORKDIR /src',
      'COPY . .',
      'RUN --mount=type=cache,target=/root/.cache/go-build GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /bin/app .',
      'ENTRYPOINT ["/bin/app"]',
    ],
    variants: ['runtime', 'distroless', 'scratch'],
    variant: 'distroless',
    output: [
      'FROM --platform=$BUILDPLATFORM golang:1.22 as builder',
      'ARG TARGETARCH',
      'WORKDIR /src',
      'COPY . .',
      'RUN --mount=type=cache,target=/root/.cache/go-build GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /bin/app .',
      '',
      'FROM gcr.io/distroless/static-debian12',
      'WORKDIR /src',
      'COPY --from=builder /bin/app /bin/app',
      'ENTRYPOINT ["/bin/app"]',
    ],
  },
  { name: 'several stages already', code: ['FROM golang:1.22 AS build', 'RUN go build -o /app .', 'FROM scratch', 'COPY --from=build /app /app', 'CMD ["/app"]'], none: /more than one stage/ },
  { name: 'nothing is built', code: ['FROM debian:bookworm', 'RUN apt-get update && apt-get install -y curl', 'CMD ["curl", "--version"]'], none: /no build command was found/ },
  { name: 'a pip install with nothing to compile is not a build', code: ['FROM python:3.12-slim', 'COPY . /app', 'RUN pip install /app', 'CMD ["python", "-m", "app"]'], none: /no build command/ },
  { name: 'Windows images', code: ['FROM golang:1.22-windowsservercore-ltsc2022', 'RUN go build -o C:/app.exe .', 'CMD ["C:/app.exe"]'], none: /Windows/ },
];

function optionsOf(c: Case): MultiStageOptions {
  return { ...(c.files ? { buildContext: memoryBuildContext(c.files) } : {}), ...c.options, ...(c.variant ? { variant: c.variant } : {}) };
}

describe('convert to multi-stage build', () => {
  before(() => initShellParser());

  for (const eol of ['\n', '\r\n']) {
    const label = eol === '\n' ? '' : ' (CRLF)';
    // Every case ends with a newline, except where it says so.
    const text = (lines: string[], c: Case): string => lines.join(eol) + (/no final newline/.test(c.name) ? '' : eol);
    CASES.forEach((c) => {
      it(`${c.name}${label}`, () => {
        const doc = docOf(text(c.code, c));
        const options = optionsOf(c);
        const analysis = analyzeMultiStage(doc.model(), options);
        if (c.none) {
          assert.equal(analysis.kind, 'none', JSON.stringify(analysis));
          assert.match(analysis.kind === 'none' ? analysis.reason : '', c.none);
          return;
        }
        if (c.ask) {
          assert.equal(analysis.kind, 'ask', JSON.stringify(analysis).slice(0, 400));
          if (analysis.kind !== 'ask') return;
          assert.match(analysis.reason, c.ask.reason);
          assert.deepEqual(analysis.candidates, c.ask.candidates);
          return;
        }
        assert.equal(analysis.kind, 'convert', JSON.stringify(analysis));
        if (analysis.kind !== 'convert') return;
        if (c.variants) assert.deepEqual(analysis.conversions.map((x) => x.variant), c.variants);
        for (const x of analysis.conversions) assert.match(x.title, /^Convert to a multi-stage build \(/);
        const conversion = convertToMultiStage(doc, options);
        assert.ok('edits' in conversion, JSON.stringify(conversion));
        const fixed = TextDocument.applyEdits(doc.textDocument, conversion.edits);
        assert.equal(fixed, text(c.output!, c));
        // The result is a multi-stage file with nothing more to convert.
        assert.equal(analyzeMultiStage(docOf(fixed).model(), options).kind, 'none');
      });
    });
  }

  it('edits only where needed: the build stage keeps every untouched line', () => {
    const doc = docOf('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n');
    const c = convertToMultiStage(doc);
    assert.ok('edits' in c);
    const lines = new Set(c.edits.flatMap((e) => Array.from({ length: e.range.end.line - e.range.start.line + 1 }, (_, k) => e.range.start.line + k)));
    assert.deepEqual([...lines].sort(), [0, 4, 5]);
  });
});

describe('multi-stage code actions', () => {
  before(() => initShellParser());
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

  it('one refactor.rewrite action per runtime stage, marked as changing behaviour', () => {
    const doc = docOf('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nCMD ["/app"]\n');
    const actions = multiStageActions(doc, range);
    assert.deepEqual(
      actions.map((a) => a.title),
      [
        'Convert to a multi-stage build (runtime stage FROM debian:bookworm-slim) (may change behaviour)',
        'Convert to a multi-stage build (runtime stage FROM gcr.io/distroless/static-debian12) (may change behaviour)',
        'Convert to a multi-stage build (FROM scratch, static binary) (may change behaviour)',
      ],
    );
    for (const a of actions) {
      assert.equal(a.kind, CodeActionKind.RefactorRewrite);
      assert.ok(a.edit?.changes?.[doc.uri]?.length);
    }
  });

  it('asks through a command when what to copy is unknown; the pick gives the edit', () => {
    const doc = docOf('FROM gcc:13\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["server"]\n');
    const [action, ...rest] = multiStageActions(doc, range);
    assert.equal(rest.length, 0);
    assert.equal(action!.kind, CodeActionKind.RefactorRewrite);
    assert.equal(action!.edit, undefined);
    assert.equal(action!.command?.command, CONVERT_TO_MULTI_STAGE_COMMAND);
    const args = action!.command!.arguments![0] as ConvertToMultiStageArgs;
    assert.deepEqual(args, { uri: doc.uri, version: 1, reason: 'where `make` puts the program is not known', candidates: ['/src/server', '/src'] });
    const edit = multiStageEdit(doc, { artifact: args.candidates[0] });
    assert.ok(edit?.changes?.[doc.uri]);
    assert.equal(
      TextDocument.applyEdits(doc.textDocument, edit.changes[doc.uri]!),
      'FROM gcc:13 AS build\nWORKDIR /src\nCOPY . .\nRUN make\n\nFROM debian:bookworm-slim\n# The gcc image comes with the -dev libraries of buildpack-deps: install the runtime package of any the program links (libssl3, libpq5, ...).\nWORKDIR /src\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nCOPY --from=build /src/server /src/server\nCMD ["server"]\n',
    );
  });

  it('nothing in files that are not single-stage builds', () => {
    assert.deepEqual(multiStageActions(docOf('FROM debian\nRUN apt-get update\n'), range), []);
    assert.deepEqual(multiStageActions(docOf('FROM golang AS b\nRUN go build -o /a .\nFROM scratch\nCOPY --from=b /a /a\n'), range), []);
  });

  it('the runtime base can be overridden per variant', () => {
    const doc = docOf('FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nCMD ["/app"]\n');
    const a = analyzeMultiStage(doc.model(), { runtimeBase: (proposed, variant) => (variant === 'distroless' ? `mirror.local/${proposed}` : undefined) });
    assert.equal(a.kind, 'convert');
    assert.deepEqual(a.kind === 'convert' ? a.conversions.map((c) => c.image) : [], ['debian:bookworm-slim', 'mirror.local/gcr.io/distroless/static-debian12', 'scratch']);
  });
});
