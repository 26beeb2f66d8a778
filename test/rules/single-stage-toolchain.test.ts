import { ruleTable } from './harness';

ruleTable('single-stage-toolchain', {
  valid: [
    // Multi-stage: the toolchain stays in the builder.
    'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nCMD ["/app"]\n',
    'FROM python:3.12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM python:3.12-slim\nRUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install /wheels/*.whl\nCMD ["python", "-m", "app"]\n',
    // Removed again in the same image.
    'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev \\\n && pip install psycopg2 \\\n && apt-get purge -y gcc libpq-dev\nCMD ["python", "-m", "app"]\n',
    'FROM alpine:3.19\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev \\\n && make install \\\n && apk del .build-deps\nCMD ["/usr/local/bin/app"]\n',
    'FROM debian:bookworm\nRUN savedAptMark="$(apt-mark showmanual)"; \\\n  apt-get update; apt-get install -y gcc make; \\\n  make install; \\\n  apt-mark auto \'.*\' > /dev/null; apt-mark manual $savedAptMark; \\\n  apt-get purge -y --auto-remove\nCMD ["server"]\n',
    // Development, CI and base images: no program of their own.
    'FROM golang:1.22\nRUN apt-get update && apt-get install -y build-essential\n',
    'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y build-essential\nCMD ["bash"]\n',
    'FROM python:3.12\nRUN apt-get update && apt-get install -y libpq-dev\nCMD ["python3"]\n',
    'FROM ubuntu:24.04\nRUN apt-get install -y build-essential\nCMD ["sleep", "infinity"]\n',
    'FROM node:20\nONBUILD COPY . .\nONBUILD RUN npm run build\nCMD ["node", "server.js"]\n',
    // devDependencies pruned after the build.
    'FROM node:20\nCOPY . .\nRUN npm ci && npm run build && npm prune --omit=dev\nCMD ["node", "dist/server.js"]\n',
    'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5 curl\nCMD ["python", "-m", "app"]\n',
    'FROM debian:bookworm\nRUN apt-get install -y openjdk-17-jre-headless\nCMD ["java", "-jar", "/app.jar"]\n',
    // A removed pattern with glob or regex characters is matched as written, never thrown on (a fuzz find: `do[cker-php-ext-*`).
    'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev \\\n && pip install psycopg2 \\\n && apt-get purge -y \'do[cker-*\' \'gc*\' libpq-dev\nCMD ["python", "-m", "app"]\n',
  ],
  invalid: [
    {
      code: 'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n && rm -rf /var/lib/apt/lists/*\nCOPY . /app\nCMD ["python", "-m", "app"]\n',
      errors: [{ line: 2, column: 66, endLine: 2, endColumn: 69, message: /keeps what it was built with \(gcc, libpq-dev\)/ }],
    },
    {
      // The quick fix converts to a multi-stage build (the first runtime stage offered).
      code: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD ["/app"]\n',
      errors: [{ line: 1, column: 6, endLine: 1, endColumn: 17, message: /the golang base image/ }],
      output:
        'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\n' +
        'FROM debian:bookworm-slim\nWORKDIR /src\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\nCOPY --from=build /app /app\nCMD ["/app"]\n',
    },
    {
      code: 'FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  # compile\n  && npm run build\nCMD ["node", "dist/server.js"]\n',
      errors: [{ line: 6, column: 6, endLine: 6, endColumn: 19, message: /`npm run build` with its devDependencies/ }],
      output:
        'FROM node:20 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  # compile\n  && npm run build\nRUN npm prune --omit=dev\n\n' +
        'FROM node:20-slim\nWORKDIR /app\nCOPY --from=build /app/package.json /app/package.json\nCOPY --from=build /app/node_modules /app/node_modules\n' +
        'COPY --from=build /app/dist /app/dist\nCMD ["node", "dist/server.js"]\n',
    },
    { code: 'FROM alpine:3.19\nRUN apk add --no-cache build-base python3-dev && pip install x\nENTRYPOINT ["/usr/bin/app"]\n', errors: [{ line: 2, column: 24, endLine: 2, endColumn: 34 }] },
    { code: 'FROM debian:bookworm\nRUN <<EOF\napt-get update\napt-get install -y build-essential cmake\nEOF\nCMD ["/usr/local/bin/server"]\n', errors: [{ line: 4, column: 20, endLine: 4, endColumn: 35 }] },
    { code: 'FROM rockylinux:9\nRUN sudo dnf install -y gcc-c++ make openssl-devel\nCMD /usr/local/bin/server --port 80\n', errors: [{ line: 2, column: 25, endLine: 2, endColumn: 32, message: /gcc-c\+\+, make, openssl-devel/ }] },
    {
      code: 'FROM maven:3.9-eclipse-temurin-21\nCOPY . /app\nRUN mvn -f /app/pom.xml package\nENTRYPOINT ["java", "-jar", "/app/target/app.jar"]\n',
      errors: [{ line: 1, column: 6, endLine: 1, endColumn: 34 }],
      output:
        'FROM maven:3.9-eclipse-temurin-21 AS build\nCOPY . /app\nRUN mvn -f /app/pom.xml package\n\n' +
        'FROM eclipse-temurin:21-jre\nCOPY --from=build /app/target/app.jar /app/target/app.jar\nENTRYPOINT ["java", "-jar", "/app/target/app.jar"]\n',
    },
    {
      // C: the same Debian image without the compiler; gcc's runtime library needs nothing, libssl-dev needs libssl3.
      code: 'FROM debian:bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libssl-dev \\\n && rm -rf /var/lib/apt/lists/*\nCOPY main.c /src/\nRUN gcc -O2 -o /usr/local/bin/app /src/main.c -lssl\n# runs as nobody\nUSER nobody\nCMD ["app"]\n',
      errors: [{ line: 2, column: 66, endLine: 2, endColumn: 69, message: /\(gcc, libc6-dev, libssl-dev\)/ }],
      output:
        'FROM debian:bookworm AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libssl-dev \\\n && rm -rf /var/lib/apt/lists/*\nCOPY main.c /src/\nRUN gcc -O2 -o /usr/local/bin/app /src/main.c -lssl\n\n' +
        'FROM debian:bookworm\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends libssl3 \\\n && rm -rf /var/lib/apt/lists/*\nCOPY --from=build /usr/local/bin/app /usr/local/bin/app\n# runs as nobody\nUSER nobody\nCMD ["app"]\n',
    },
    // What to copy is unknown: no quick fix, the refactoring asks.
    { code: 'FROM gcc:13\nWORKDIR /src\nCOPY . .\nRUN make\nCMD ["server"]\n', errors: [{ line: 1, message: /the gcc base image.*The "Convert to a multi-stage build" refactoring asks what to copy: where `make` puts the program is not known\./ }] },
    // Built FROM a stage that holds the toolchain, with nothing copied from a builder.
    { code: 'FROM debian:bookworm AS base\nRUN apt-get install -y gcc\nFROM base\nCMD ["/srv/app"]\n', errors: [{ line: 2, column: 24, endLine: 2, endColumn: 27, message: /No automatic conversion: the Dockerfile already has more than one stage\./ }] },
    // devDependencies installed for production first, then a build that needs them again.
    { code: 'FROM node:20\nCOPY . .\nRUN npm ci --omit=dev\nRUN npm install && yarn build:prod\nCMD ["node", "server.js"]\n', errors: [{ line: 4, column: 20, endLine: 4, endColumn: 35, message: /`yarn build:prod`/ }] },
    // Only what is not purged again counts.
    { code: 'FROM debian:bookworm\nRUN apt-get install -y gcc g++ \\\n && apt-get purge -y gcc\nCMD ["/srv/app"]\n', errors: [{ line: 2, column: 28, endLine: 2, endColumn: 31, message: /\(g\+\+\)/ }] },
  ],
});
