// dashboard.js: placeholder until its API lands.
export async function mount() {}
