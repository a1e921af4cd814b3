/**
 * The console's words, translated by the template: every `[data-word]`
 * element in <template id="live-words"> (e.g. data-word="unit-status:available")
 * and the data-text-* attributes of #console.
 */

const dictionary = new Map();
const template = document.getElementById("live-words");
for (const element of template?.content.querySelectorAll("[data-word]") ?? []) {
  dictionary.set(element.dataset.word, element.textContent.trim());
}

export const text = document.getElementById("console")?.dataset ?? {};

/** The word for `group:key`, else the fallback (or the key itself). */
export function word(group, key, fallback) {
  return dictionary.get(`${group}:${key}`) ?? fallback ?? String(key ?? "");
}

/** Replace `{name}` placeholders in a translated sentence. */
export function format(sentence, values) {
  return String(sentence ?? "").replace(/\{(\w+)\}/g, (whole, name) => (
    values[name] === undefined ? whole : String(values[name])
  ));
}
