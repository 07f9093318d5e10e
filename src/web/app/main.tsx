import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { restoreSession } from './session.js';

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  void restoreSession();
}
