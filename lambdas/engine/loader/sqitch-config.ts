// `sqitch.conf` settings that change where scripts are or what they are written for.
// stepmigrate reads the default layout (deploy/ revert/ verify/ *.sql next to sqitch.plan)
// for PostgreSQL; a project that moves them is refused with the fix rather than misread.
import type { LoaderProblem } from './problems.ts';

export const CONFIG_FILE = 'sqitch.conf';

const defaults: Readonly<Record<string, string>> = {
  top_dir: '.',
  plan_file: 'sqitch.plan',
  deploy_dir: 'deploy',
  revert_dir: 'revert',
  verify_dir: 'verify',
  reworked_dir: '.',
};

export function configProblems(text: string): LoaderProblem[] {
  const problems: LoaderProblem[] = [];
  let section = '';
  text.split(/\r\n?|\n/).forEach((raw, index) => {
    const line = raw.trim();
    const header = /^\[\s*([^\]]*?)\s*\]$/.exec(line);
    if (header) {
      section = header[1]!.replace(/\s+/g, ' ');
      return;
    }
    const setting = /^([A-Za-z_][\w-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!setting || !(section === 'core' || section === 'engine "pg"')) return;
    const [, key, value] = setting;
    const report = (message: string) => problems.push({ file: CONFIG_FILE, line: index + 1, message });
    if (key === 'engine' && value !== 'pg') {
      report(`engine = ${value}: stepmigrate runs PostgreSQL projects only (engine = pg)`);
    } else if (key === 'extension' && value !== 'sql') {
      report(
        `extension = ${value}: stepmigrate reads *.sql scripts; rename the scripts and remove this setting`,
      );
    } else if (key! in defaults && value!.replace(/^\.\/(?=.)/, '').replace(/\/$/, '') !== defaults[key!]) {
      report(
        `${key} = ${value}: stepmigrate reads sqitch.plan with deploy/, revert/ and verify/ next to it; pass that directory as --migrations and keep the default layout inside it`,
      );
    }
  });
  return problems;
}
