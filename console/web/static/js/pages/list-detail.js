// list-detail.js: placeholder until its API lands.
export async function mount() {}
