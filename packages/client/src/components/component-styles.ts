/**
 * The components' shared stylesheet. Everything a shop may want to match
 * its own look is a CSS custom property, set on the element or any
 * ancestor (custom properties cross the shadow boundary):
 *
 * | property | default | what |
 * |---|---|---|
 * | `--fedrec-font` | `inherit` | font family |
 * | `--fedrec-ink` | `#1d2321` | text |
 * | `--fedrec-muted` | `#4f5955` | secondary text |
 * | `--fedrec-surface` | `#ffffff` | background of the panel |
 * | `--fedrec-banner-surface` | `#fff8e6` | background of the consent banner |
 * | `--fedrec-border` | `#d9ddd8` | lines and borders |
 * | `--fedrec-accent` | `#2f6f4f` | the primary button, links, the meter |
 * | `--fedrec-accent-ink` | `#ffffff` | text on the accent |
 * | `--fedrec-danger` | `#a4262c` | the delete buttons |
 * | `--fedrec-focus` | `#1a56db` | the focus ring |
 * | `--fedrec-radius` | `6px` | corner radius of buttons |
 *
 * Layout uses logical properties only (`margin-inline-start`, `text-align:
 * start`…), so a right-to-left locale mirrors it without other rules.
 */
export const COMPONENT_CSS = `
:host {
  display: block;
  font-family: var(--fedrec-font, inherit);
  color: var(--fedrec-ink, #1d2321);
  line-height: 1.45;
  box-sizing: border-box;
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: inherit; }
[hidden] { display: none !important; }
/* An empty status line takes no room (it stays in the page, so screen readers hear what it says next). */
p:empty { margin: 0; }
h2, h3 { line-height: 1.2; margin-block: 0 0.5rem; }
h2 { font-size: 1.2rem; }
h3 { font-size: 1rem; margin-block-start: 1.25rem; }
p { margin-block: 0.25rem 0.75rem; }
:focus-visible { outline: 3px solid var(--fedrec-focus, #1a56db); outline-offset: 2px; }
button {
  font: inherit; cursor: pointer; min-block-size: 2.25rem; padding-block: 0.4rem; padding-inline: 0.7rem;
  border-radius: var(--fedrec-radius, 6px); border: 1px solid var(--fedrec-accent, #2f6f4f);
  background: var(--fedrec-surface, #ffffff); color: var(--fedrec-accent, #2f6f4f);
}
button.primary { background: var(--fedrec-accent, #2f6f4f); color: var(--fedrec-accent-ink, #ffffff); }
button.danger { border-color: var(--fedrec-danger, #a4262c); color: var(--fedrec-danger, #a4262c); }
.muted { color: var(--fedrec-muted, #4f5955); font-size: 0.9rem; }
.alert { border-inline-start: 4px solid var(--fedrec-danger, #a4262c); padding-inline-start: 0.75rem; }
details { margin-block: 0.5rem; }
summary { cursor: pointer; color: var(--fedrec-accent, #2f6f4f); font-weight: 600; }
ul.notice { margin-block: 0.5rem; padding-inline-start: 1.25rem; }
ul.notice li { margin-block-end: 0.25rem; }
`;

export const CONSENT_CSS = `
.banner { padding: 1rem; background: var(--fedrec-banner-surface, #fff8e6); border-block-end: 2px solid #e6c86e; }
.banner p { max-inline-size: 60rem; }
/* Equal columns, so no choice looks bigger than the others; one column on a phone. */
.choices { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: 0.75rem 1rem; margin: 0; padding: 0; list-style: none; }
.choices li { display: flex; flex-direction: column; gap: 0.25rem; }
.choices button { font-weight: 600; text-align: center; }
.choices p { font-size: 0.85rem; color: var(--fedrec-muted, #4f5955); margin: 0; }
/* On a phone the banner must leave the shop visible. */
@media (max-width: 40rem) {
  .banner { padding-block: 0.6rem; padding-inline: 0.75rem; font-size: 0.9rem; line-height: 1.3; }
  .banner h2 { font-size: 1.05rem; margin-block-end: 0.25rem; }
  .banner > p { margin-block-end: 0.4rem; }
  .banner details { margin-block: 0.25rem 0; }
  .choices { gap: 0.15rem; }
  .choices li { gap: 0.1rem; }
  .choices p { font-size: 0.8rem; line-height: 1.25; margin-block-end: 0.2rem; }
}
`;

export const PRIVACY_CSS = `
.panel { background: var(--fedrec-surface, #ffffff); border: 1px solid var(--fedrec-border, #d9ddd8); border-radius: 10px; padding: 1rem; }
fieldset { border: 1px solid var(--fedrec-border, #d9ddd8); border-radius: 8px; margin: 0; padding-block: 0.5rem; padding-inline: 0.75rem; }
legend { font-weight: 600; padding-inline: 0.25rem; }
fieldset label { display: block; padding-block: 0.2rem; }
input[type=radio] { accent-color: var(--fedrec-accent, #2f6f4f); margin-inline-end: 0.4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 0.75rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; }
table { inline-size: 100%; border-collapse: collapse; font-size: 0.85rem; }
th, td { text-align: start; padding-block: 0.2rem; padding-inline: 0.3rem; border-block-end: 1px solid var(--fedrec-border, #d9ddd8); }
caption { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
meter { inline-size: 100%; }
.forget { display: flex; flex-wrap: wrap; gap: 0.5rem; }
/* What cannot be taken back is said where the shopper decides. */
#forget-statement { border-inline-start: 4px solid var(--fedrec-danger, #a4262c); padding-inline-start: 0.75rem; }
`;
