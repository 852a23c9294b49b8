/** The Bakeoff release, recorded in reports (kept equal to package.json's `version` by a test). */
export const bakeoffVersion = '0.1.0';
