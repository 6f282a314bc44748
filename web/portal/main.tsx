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
