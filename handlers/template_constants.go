package handlers

import (
	"errors"
	"html/template"
	"io"
	"regexp"
	"text/template/parse"
)

// A page's translations without data and its static files' URLs are written into its
// templates as constants when they are parsed (parsePages). html/template still escaped each
// of them on every view: an action, with a reflective call to its escaper, a third of a
// page's actions. writeConstantsIn escapes them once: it lets html/template escape the page
// (which fixes, for each action, the escapers of the context it stands in), then replaces each
// action that is a constant followed by escapers that are known to leave it as
// htmlText does (text, a quoted attribute, a title's text) with that text, already escaped.
// Any other context (a script, a style, an unquoted attribute, a URL that is not a plain
// path) keeps its action. TestConstantsWrittenInChangeNoPage holds every page to the bytes it
// had before.

// textEscapers escape a string as htmlText does (html/template's htmlReplacementTable): the
// escapers of text, of a quoted attribute's value and of a title's text (RCDATA).
var textEscapers = map[string]bool{
	"_html_template_htmlescaper":   true,
	"_html_template_attrescaper":   true,
	"_html_template_rcdataescaper": true,
}

// plainPath is a URL that html/template's URL filter and normalizer leave as it is: a path on
// this site of characters that need no escaping (a static file's URL).
var plainPath = regexp.MustCompile(`^/[A-Za-z0-9/._~-]*$`)

// urlEscapers leave a plainPath as it is.
var urlEscapers = map[string]bool{"_html_template_urlfilter": true, "_html_template_urlnormalizer": true}

// writeConstantsIn escapes t from "base" and writes its constant actions in as text. It runs
// once, before t serves any page.
func writeConstantsIn(t *template.Template, v *view) error {
	// Escaping happens before execution; executing with an empty view stops at the first
	// action that needs data, and its output is not used.
	err := t.ExecuteTemplate(io.Discard, "base", v)
	var escErr *template.Error
	if errors.As(err, &escErr) {
		return err
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil {
			foldConstants(tt.Tree.Root)
		}
	}
	return nil
}

func foldConstants(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if a, ok := c.(*parse.ActionNode); ok {
				if s, ok := escapedConstant(a); ok {
					n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: a.Pos, Text: []byte(s)}
				}
				continue
			}
			foldConstants(c)
		}
	case *parse.IfNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	case *parse.RangeNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	case *parse.WithNode:
		foldConstants(n.List)
		foldConstants(n.ElseList)
	}
}

// escapedConstant is what action a writes, when it is a string constant piped only through
// escapers that htmlText stands for (and, for a plain path, the URL escapers that leave it).
func escapedConstant(a *parse.ActionNode) (string, bool) {
	p := a.Pipe
	if p == nil || len(p.Decl) > 0 || len(p.Cmds) < 2 || len(p.Cmds[0].Args) != 1 {
		return "", false
	}
	str, ok := p.Cmds[0].Args[0].(*parse.StringNode)
	if !ok {
		return "", false
	}
	s, text := str.Text, false
	for _, cmd := range p.Cmds[1:] {
		if len(cmd.Args) != 1 {
			return "", false
		}
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		switch {
		case !ok:
			return "", false
		case textEscapers[id.Ident]:
			s, text = htmlText.Replace(s), true
		case urlEscapers[id.Ident] && plainPath.MatchString(s):
		default:
			return "", false
		}
	}
	return s, text
}
