/** A one-line progress bar for a terminal (callers only make one when the stream is a TTY). */
export function progressBar(stream: NodeJS.WriteStream, label: string, width = 30) {
  let drawn = false
  return {
    update: (done: number, total: number): void => {
      const filled = total === 0 ? width : Math.round((done / total) * width)
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`)
      drawn = true
    },
    done: (): void => {
      if (drawn) stream.write('\n')
    },
  }
}
