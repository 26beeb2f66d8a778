import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A git repository in a temporary folder with scripted commits: a fixed author and clock (each
 * commit one minute after the last), no global or system git configuration, so hashes and
 * histories are the same on every run.
 */
export class GitRepo {
  private clock = 1_700_000_000;

  private constructor(readonly dir: string) {}

  static create(prefix = 'lw-git-'): GitRepo {
    const repo = new GitRepo(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
    repo.git('init', '-q', '-b', 'main');
    repo.git('config', 'user.name', 'Layerwise Test');
    repo.git('config', 'user.email', 'test@layerwise.invalid');
    repo.git('config', 'commit.gpgsign', 'false');
    return repo;
  }

  git(...args: string[]): string {
    const date = `${this.clock} +0000`;
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        LC_ALL: 'C',
      },
    }).trim();
  }

  /** Writes files (null deletes one) without committing. */
  write(files: Record<string, string | null>): void {
    for (const [rel, text] of Object.entries(files)) {
      const full = path.join(this.dir, rel);
      if (text === null) fs.rmSync(full, { force: true });
      else {
        fs.mkdirSync(path.dirname(full), { recursive: true });
        fs.writeFileSync(full, text);
      }
    }
  }

  /** Writes the files and commits everything; returns the new commit's hash. */
  commit(message: string, files: Record<string, string | null> = {}): string {
    this.write(files);
    this.clock += 60;
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }

  checkout(branch: string, create = false): void {
    this.git('checkout', '-q', ...(create ? ['-b'] : []), branch);
  }

  /** A merge commit (always, even when a fast-forward would do). */
  merge(branch: string, message = `merge ${branch}`): string {
    this.clock += 60;
    this.git('merge', '-q', '--no-ff', '-m', message, branch);
    return this.head();
  }

  path(rel: string): string {
    return path.join(this.dir, rel);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
