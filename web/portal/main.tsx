import {createRoot} from 'react-dom/client'

import '../shared/base.css'

// Placeholder until the customer portal lands: it says so instead of pretending.
function Portal() {
  return <p className="muted">The customer portal is not built yet.</p>
}

createRoot(document.getElementById('root')!).render(<Portal />)
