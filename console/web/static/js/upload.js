// upload.js: multipart uploads with a progress bar (fetch has no upload progress, so
// this one call uses XMLHttpRequest). Same token, same error envelope as api.js.
import { APIError, clearSession, session, signIn } from './api.js';

/**
 * upload POSTs form data to path; onprogress(fraction) follows the bytes sent. It
 * resolves with the JSON answer or rejects with an APIError.
 */
export function upload(method, path, data, onprogress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, path);
    const s = session();
    if (s) xhr.setRequestHeader('Authorization', 'Bearer ' + s.token);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => { if (e.lengthComputable && onprogress) onprogress(e.loaded / e.total); });
    xhr.addEventListener('load', () => {
      let body = null;
      try { body = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch { body = null; }
      if (xhr.status === 401) { clearSession(); signIn(); }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new APIError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new Error('the upload could not reach the server')));
    xhr.send(data);
  });
}
