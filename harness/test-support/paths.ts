// Paths the tests share: the project, the shared series, the test patches.
import { join, resolve } from 'node:path';
import { cliPath, projectRoot } from '../util/project.js';

export const ROOT = projectRoot();
/** ../shared beside the project: test input, never copied into the repository. */
export const SHARED = resolve(ROOT, '..', 'shared');
/** The mailing-list thread of v2 (cover letter, patches, review) as a web archive shows it: no headers, diff lines joined. */
export const SEED_THREAD = join(SHARED, 'sea-patchset-v2-thread.txt');
export const SERIES_MBOX = join(SHARED, 'series', 'sea-v2-iabt-on-7.3.mbox');
export const SERIES_DIR = join(SHARED, 'series', 'sea-v2-iabt-on-7.3');
export const PATCHES = join(ROOT, 'harness', 'e2e', 'patches');
export const BREAK_IABT_PATCH = join(PATCHES, 'break-iabt-accept-both.patch');
export const HANG_PATCH = join(PATCHES, 'hang-set-vcpu-events.patch');
/** A function in guest.c nothing calls: its patch must show 0 of N lines run under --coverage. */
export const COVERAGE_UNCALLED_PATCH = join(PATCHES, 'coverage-uncalled.patch');
/** Breaking patches in the SEA exit path (kvm_handle_guest_sea()), applied on the 7.3 base. */
export const BREAK_SEA_FSC_PATCH = join(PATCHES, 'break-sea-exit-fsc.patch');
export const BREAK_SEA_GPA_PATCH = join(PATCHES, 'break-sea-exit-gpa.patch');
export const BREAK_SEA_OPTIN_PATCH = join(PATCHES, 'break-sea-exit-optin.patch');
export const CLI = cliPath();
