import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plural, withArticle } from './words.js';

test('plural: one and many, -es endings, irregular forms, thousands', () => {
  assert.equal(plural(1, 'epoch'), '1 epoch');
  assert.equal(plural(0, 'epoch'), '0 epochs');
  assert.equal(plural(2, 'generator step'), '2 generator steps');
  assert.equal(plural(1, 'class'), '1 class');
  assert.equal(plural(3, 'class'), '3 classes');
  assert.equal(plural(2, 'batch'), '2 batches');
  assert.equal(plural(5, 'epoch'), '5 epochs');
  assert.equal(plural(1, 'folder'), '1 folder');
  assert.equal(plural(2, 'child', 'children'), '2 children');
  assert.equal(plural(12000, 'image'), '12,000 images');
});

test('withArticle: by the sound, acronyms by their letters', () => {
  assert.equal(withArticle('LSTM'), 'an LSTM');
  assert.equal(withArticle('RNN'), 'an RNN');
  assert.equal(withArticle('MLP'), 'an MLP');
  assert.equal(withArticle('GRU'), 'a GRU');
  assert.equal(withArticle('TDNN'), 'a TDNN');
  assert.equal(withArticle('epoch'), 'an epoch');
  assert.equal(withArticle('time-delay network'), 'a time-delay network');
  assert.equal(withArticle('unit'), 'a unit');
  assert.equal(withArticle('image'), 'an image');
  assert.equal(withArticle('8-bit image'), 'an 8-bit image');
  assert.equal(withArticle('hour'), 'an hour');
});
