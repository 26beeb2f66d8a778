import { ruleTable } from './harness';

ruleTable('go-install-pin-versions', {
  valid: [
    'FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@v0.16.1\n',
    'FROM golang:1.22\nRUN go install ./cmd/... && go install . && go install /go/src/app\n',
    'FROM golang:1.22\nRUN go run ./hack/gen.go && go run build.go build\n',
    'FROM golang:1.22\nRUN go run example.com/pkg@v1.2.3 -f latest\n',
    'FROM golang:1.22\nARG VERSION\nRUN go install "example.com/tool@${VERSION}"\n',
    'FROM golang:1.22\nRUN go build -o /out/app . && go mod download\n',
    'FROM golang:1.22\nRUN go install tool\n',
    // Inside a module, a package without a version builds what go.mod requires.
    'FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go install github.com/x/y/cmd/z\n',
    'FROM golang:1.22\nCOPY . .\nRUN go run github.com/x/y/cmd/gen\n',
    'FROM golang:1.22\nRUN --mount=type=bind,target=. go install github.com/x/y/cmd/z\n',
    'FROM golang:1.22\nRUN go get example.com/pkg@none\n',
  ],
  invalid: [
    { code: 'FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\n', errors: [{ line: 2, column: 16, endLine: 2, endColumn: 47, message: /released last.*gopls@v<version>/ }] },
    { code: 'FROM golang:1.22\nRUN go install example.com/pkg\n', errors: [{ line: 2, column: 16, endLine: 2, endColumn: 31, message: /has no version/ }] },
    {
      code: 'FROM golang:1.22\nRUN CGO_ENABLED=0 go install -ldflags "-s -w" \\\n    # linter\n    github.com/golangci/golangci-lint/cmd/golangci-lint@v1.57.2 \\\n    honnef.co/go/tools/cmd/staticcheck@latest\n',
      errors: [{ line: 5, column: 5, endLine: 5, endColumn: 46 }],
    },
    // `go get` moves go.mod to the newest release even inside a module.
    { code: 'FROM golang:1.22\nCOPY . .\nRUN go get github.com/x/y && go install github.com/x/y/cmd/z\n', errors: [{ line: 3, column: 12, endLine: 3, endColumn: 26 }] },
    { code: 'FROM golang:1.22\nRUN ["go", "run", "example.com/tool@latest", "-flag", "arg"]\n', errors: [{ line: 2, column: 19, endLine: 2, endColumn: 44 }] },
    { code: 'FROM golang:1.22\nONBUILD RUN go get -tool example.com/tool\n', errors: [{ line: 2, column: 26, endLine: 2, endColumn: 42 }] },
    { code: 'FROM alpine\nRUN apk add go && GOBIN=/usr/local/bin go install github.com/google/go-licenses@latest\n', errors: [{ line: 2, column: 51, endColumn: 87 }] },
  ],
});
