/**
 * The appliance's own id: random, made at its first start and kept in its data folder, so Home Assistant's
 * unique ids (`ppipe_<applianceId>_…`) stay the same across restarts and differ between two appliances.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const APPLIANCE_ID_FILE = 'appliance-id';
const APPLIANCE_ID_PATTERN = /^[0-9a-f]{12}$/;

/** Reads `<dataDir>/appliance-id`, or makes it (12 hex digits) when there is none. */
export function readOrCreateApplianceId(dataDir: string): string {
  const file = path.join(dataDir, APPLIANCE_ID_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const id = randomBytes(6).toString('hex');
    // 'wx': two appliances starting on one data folder cannot both write it.
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  }
  const id = text.trim();
  if (!APPLIANCE_ID_PATTERN.test(id))
    throw new Error(
      `${file}: expected 12 hex digits (the appliance's id in Home Assistant), found "${id.slice(0, 40)}"; ` +
        'restore it, or delete it to make a new id (Home Assistant then sees new entities)',
    );
  return id;
}
