import {createRoot} from 'react-dom/client'

import '../shared/base.css'
import './ui.css'
import {interceptLinks} from '../shared/router.js'
import {App} from './App.js'

interceptLinks('/ui/')
createRoot(document.getElementById('root')!).render(<App />)
