import { ruleTable } from './harness';

ruleTable('gem-pin-versions', {
  valid: [
    'FROM ruby:3.3\nRUN gem install bundler:2.5.11\n',
    'FROM ruby:3.3\nRUN gem install bundler -v 2.5.11\n',
    'FROM ruby:3.3\nRUN gem install bundler --version=2.5.11 --no-document\n',
    'FROM ruby:3.3\nRUN gem install bundler -v2.5.11\n',
    'FROM ruby:3.3\nRUN gem install ./vendor/app-1.0.gem\n',
    'FROM ruby:3.3\nRUN gem install --install-dir /opt/gems rake:13.2.1\n',
    'FROM ruby:3.3\nRUN gem update --system && gem list bundler\n',
    'FROM ruby:3.3\nARG GEM\nRUN gem install "$GEM"\n',
    'FROM ruby:3.3\nRUN bundle install\n',
  ],
  invalid: [
    { code: 'FROM ruby:3.3\nRUN gem install bundler\n', errors: [{ line: 2, column: 17, endLine: 2, endColumn: 24, message: /`bundler:<version>`/ }] },
    { code: 'FROM ruby:3.3\nRUN gem i bundler:2.5.11 \\\n    # docs off\n    rails --no-document\n', errors: [{ line: 4, column: 5, endLine: 4, endColumn: 10 }] },
    { code: 'FROM ruby:3.3\nRUN ["gem", "install", "nokogiri"]\n', errors: [{ line: 2, column: 24, endLine: 2, endColumn: 34 }] },
    // What follows `--` configures the native extension.
    { code: 'FROM ruby:3.3\nONBUILD RUN sudo gem install mysql2 -- --with-mysql-dir=/usr\n', errors: [{ line: 2, column: 30, endLine: 2, endColumn: 36 }] },
    { code: 'FROM ruby:3.3\nRUN <<EOF\ngem install --no-document bunlder:1 nokogiri\nEOF\n', errors: [{ line: 3, column: 37, endLine: 3, endColumn: 45 }] },
  ],
});
