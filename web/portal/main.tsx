import {createRoot} from 'react-dom/client'

import '../shared/base.css'
import './portal.css'
import {App} from './App.js'
import {applyTheme, readTheme, reportHeight} from './theme.js'

const theme = readTheme()
applyTheme(theme)
const root = document.getElementById('root')!
reportHeight(root)
createRoot(root).render(<App theme={theme} />)
// A new `#key=` in this tab (another session's link opened here) starts over with it.
window.addEventListener('hashchange', () => {
  if (new URLSearchParams(location.hash.slice(1)).has('key')) location.reload()
})
