import { ruleTable } from './harness';

ruleTable('secrets-used-in-arg-or-env', {
  valid: [
    'RUN --mount=type=secret,id=aws_key_id,env=AWS_ACCESS_KEY_ID \\\n    --mount=type=secret,id=aws_secret_key,env=AWS_SECRET_ACCESS_KEY \\\n    aws s3 cp s3://my-bucket/file .\n',
    'ARG foobar\nFROM debian:bullseye\nRUN foobar\n',
    'FROM alpine\nENV sunflower=foo KEYBOARD=us monkey=1\n',
    // Allowed parts: public keys, versions, files, locations.
    'FROM alpine\nARG PUBLIC_KEY\nENV SECRET_KEY_FILE=/run/secrets/key TOKEN_VERSION=2 GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D AUTH_URL=https://auth\n',
    // A boolean is a setting, an empty ENV stores nothing.
    'FROM alpine\nENV USE_AUTH=true OPENAI_API_KEY=""\nARG NO_CREDENTIALS=0\n',
  ],
  invalid: [
    {
      code: 'ARG AWS_ACCESS_KEY_ID\nARG AWS_SECRET_ACCESS_KEY\nRUN aws s3 cp s3://my-bucket/file .\n',
      errors: [
        { line: 1, column: 5, endLine: 1, endColumn: 22, message: /ARG `AWS_ACCESS_KEY_ID` looks like a secret.*image history/ },
        { line: 2, column: 5, endColumn: 26 },
      ],
    },
    { code: 'ARG openai_api_key\nFROM debian:bullseye\n', errors: [{ line: 1 }] },
    {
      code: 'FROM scratch\nARG SECRET_PASSPHRASE\nENV SUPER_Secret=foo\nENV password=bar secret=baz\nARG super_duper_secret_token=foo auth=bar\nENV apikey=bar sunflower=foo\nENV git_key=x\n',
      errors: [
        { line: 2 },
        { line: 3, message: /image config/ },
        { line: 4, column: 5, endColumn: 13 },
        { line: 4, column: 18, endColumn: 24 },
        { line: 5, column: 5 },
        { line: 5, column: 34 },
        { line: 6 },
        { line: 7 },
      ],
    },
    { code: 'FROM mysql\nENV MYSQL_PASSWD password\n', errors: [{ line: 2, column: 5, endColumn: 17 }] },
    { code: 'FROM alpine\nENV A=1 \\\n    # db\n    DB_PASSWORD=admin\n', errors: [{ line: 4, column: 5, endColumn: 16 }] },
    { code: 'FROM alpine\nONBUILD ARG ADMIN_PASSWORD=admin\n', errors: [{ line: 2, column: 13 }] },
  ],
});
