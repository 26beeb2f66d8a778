import { ruleTable } from './harness';

ruleTable('multiple-instructions-disallowed', {
  valid: [
    'FROM alpine\nENTRYPOINT ["echo", "Hello, Norway!\\nHello, Sweden!"]\n',
    'FROM python:alpine\nRUN apk add curl\nHEALTHCHECK --interval=1s --timeout=3s \\\n  CMD ["curl", "-f", "http://localhost:8080"]\nCMD ["python", "-m", "http.server", "8080"]\n',
    'FROM debian as distro1\nCMD bash\nRUN foo\nFROM debian as distro2\nCMD another\n',
    'FROM scratch AS a\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\n\nFROM a AS b\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
    // ONBUILD triggers are not settings of this image.
    'FROM alpine\nONBUILD CMD ["a"]\nCMD ["b"]\n',
  ],
  invalid: [
    {
      code: 'FROM alpine\nENTRYPOINT ["echo", "Hello, Norway!"]\nENTRYPOINT ["echo", "Hello, Sweden!"]\n',
      errors: [{ line: 2, column: 1, endLine: 2, endColumn: 38, message: /ENTRYPOINT on line 3 replaces it/ }],
      output: 'FROM alpine\nENTRYPOINT ["echo", "Hello, Sweden!"]\n',
    },
    {
      code: 'FROM scratch\nENTRYPOINT ["/myapp"]\nCMD ["/myapp"]\nHEALTHCHECK CMD ["/myapp"]\nCOPY <<EOF /a.txt\nHello, World!\nEOF\nENTRYPOINT ["/myotherapp"]\nCMD ["/myotherapp"]\nHEALTHCHECK CMD ["/myotherapp"]\n',
      errors: [{ line: 2, message: /ENTRYPOINT on line 8/ }, { line: 3, message: /CMD on line 9/ }, { line: 4, message: /HEALTHCHECK on line 10/ }],
    },
    // hadolint's fragments without FROM.
    { code: 'CMD bash\nRUN foo\nCMD another\n', errors: [{ line: 1 }], output: 'RUN foo\nCMD another\n' },
    {
      code: 'FROM scratch\nHEALTHCHECK --interval=5s \\\n  CMD /bin/bla1\nHEALTHCHECK CMD /bin/bla2\n',
      errors: [{ line: 2, column: 1, endLine: 3, endColumn: 16 }],
      output: 'FROM scratch\nHEALTHCHECK CMD /bin/bla2\n',
    },
    { code: 'FROM debian\nCMD a\nCMD b\nCMD c\n', errors: [{ line: 2, message: /line 4/ }, { line: 3, message: /line 4/ }] },
  ],
});
