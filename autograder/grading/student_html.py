"""What a student wrote, made safe to show on a page someone reads (their feedback, the Formgrader's page).

Markdown cells, written answers and HTML outputs of a notebook are the student's. Rendered as
they are, they could run a script, restyle the page (a `<style>` that hides the real score and
paints another), or steer it (`<meta http-equiv=refresh>`, which a Content-Security-Policy does
not stop). `clean_html` passes them through bleach (a maintained HTML sanitizer) with an
allow-list of what Markdown itself renders: text, headings, lists, tables, code (with the
highlighter's classes), links to the web or within the page, and images embedded in the page.
Everything else (`script`, `style`, `iframe`, `object`, `form`, `meta`, `base`, event
attributes, `style` attributes, `javascript:` links, remote images) is shown escaped, as the
text the student wrote. nbgrader_config.py registers it as nbconvert's `clean_html` filter,
which the templates apply to Markdown and to HTML, Markdown and SVG outputs.
"""

import re

import bleach

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
})
# A link goes to the web, to an e-mail address, or within the page; an image is one embedded in it.
LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
EMBEDDED_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)
# The syntax highlighter's classes (Pygments' short token names, its `highlight` block) and Markdown's code languages.
CODE_CLASS = re.compile(r"^(highlight|hl-\w+|language-[\w+-]+|[a-z]{1,3}[0-9]?)$")


def _allowed(tag, name, value):
    if tag == "a":
        return name == "title" or (name == "href" and bool(LINK.match(value.strip())))
    if tag == "img":
        return name in ("alt", "title") or (name == "src" and bool(EMBEDDED_IMAGE.match(value.strip())))
    if tag in ("td", "th"):
        return name == "align" and value in ("left", "right", "center")
    if tag in ("span", "div", "pre", "code"):
        return name == "class" and all(CODE_CLASS.match(part) for part in value.split())
    return tag == "abbr" and name == "title"


def clean_html(html):
    """`html` (a string, or bytes) with only the allowed tags and attributes; anything else shown as text."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return bleach.clean(html, tags=TAGS, attributes=_allowed, protocols={"http", "https", "mailto", "data"},
                        strip=False, strip_comments=True)
