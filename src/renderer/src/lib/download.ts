/**
 * Saves text as a file through the browser's download path (Blob + object URL + a click on a
 * temporary link): works the same in Electron and in a headless-mode browser tab.
 */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // The click starts the download synchronously; revoking on the next turn keeps the URL alive for it.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
