/** The model kinds this build reads and writes; each module registers itself. Add new kinds here. */
import './classifier.js';
import './gan.js';
import './sequence.js';
