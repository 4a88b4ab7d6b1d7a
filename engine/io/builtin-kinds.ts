/** The model kinds this build reads and writes; each module registers itself. Add new kinds here. */
import './classifier.js';
import './gan.js';
import './sequence.js';
import './kmeans.js';
import './art.js';
import './som.js';
import './rbf.js';
import './moe.js';
