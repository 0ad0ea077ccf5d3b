// notfound.js: nothing to load; the server rendered the message.
export async function mount() {}
