package courses

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseCertificateBlock reads course.yaml's optional certificate: block, every field optional:
// issue (auto, manual or none; default auto), valid_months (0, the default: no expiry) and
// signatories (a list of name and title).
func parseCertificateBlock(n *yaml.Node, errs *bundleErrorList) *CertificateSettings {
	if n.Kind != yaml.MappingNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "certificate"})
		return nil
	}
	s := DefaultCertificateSettings
	fields := mappingFields(n, []string{"issue", "valid_months", "signatories"}, errs)
	if v := fields["issue"]; v != nil {
		s.Issue = CertificateIssue(v.Value)
		if v.Kind != yaml.ScalarNode || !s.Issue.Valid() {
			errs.at(v, "bundle.certificate_issue", map[string]any{"Issue": v.Value})
		}
	}
	if v := fields["valid_months"]; v != nil {
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!int" || v.Decode(&s.ValidMonths) != nil ||
			s.ValidMonths < 0 || s.ValidMonths > MaxValidMonths {
			errs.at(v, "bundle.certificate_valid_months", map[string]any{"Max": MaxValidMonths})
		}
	}
	if v := fields["signatories"]; v != nil {
		if v.Kind != yaml.SequenceNode {
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": "signatories"})
		} else {
			if len(v.Content) > MaxSignatories {
				errs.at(v, "bundle.certificate_too_many_signatories", map[string]any{"Max": MaxSignatories})
			}
			for _, item := range v.Content {
				if sg, ok := parseSignatory(item, errs); ok {
					s.Signatories = append(s.Signatories, sg)
				}
			}
		}
	}
	return &s
}

// bundleSignatoryProblems maps signatoryProblem's answer to the bundle's keys.
var bundleSignatoryProblems = map[string]struct {
	key string
	max int
}{
	KeySignatoryNameRequired: {"bundle.signatory_name_required", 0},
	KeyBadCharacters:         {"bundle.signatory_bad_characters", 0},
	KeySignatoryNameTooLong:  {"bundle.signatory_name_too_long", MaxSignatoryNameLength},
	KeySignatoryTitleTooLong: {"bundle.signatory_title_too_long", MaxSignatoryTitleLength},
}

func parseSignatory(item *yaml.Node, errs *bundleErrorList) (Signatory, bool) {
	if item.Kind != yaml.MappingNode {
		errs.at(item, "bundle.field_invalid", map[string]any{"Field": "signatories"})
		return Signatory{}, false
	}
	fields := mappingFields(item, []string{"name", "title"}, errs)
	var s Signatory
	for _, f := range []struct {
		name string
		into *string
	}{{"name", &s.Name}, {"title", &s.Title}} {
		if v := fields[f.name]; v != nil {
			if v.Kind != yaml.ScalarNode {
				errs.at(v, "bundle.field_invalid", map[string]any{"Field": f.name})
				return Signatory{}, false
			}
			*f.into = strings.TrimSpace(v.Value)
		}
	}
	if key := signatoryProblem(s); key != "" {
		p := bundleSignatoryProblems[key]
		at := item
		if v := fields["title"]; key == KeySignatoryTitleTooLong && v != nil {
			at = v
		} else if v := fields["name"]; v != nil {
			at = v
		}
		var args map[string]any
		if p.max > 0 {
			args = map[string]any{"Max": p.max}
		}
		errs.at(at, p.key, args)
		return Signatory{}, false
	}
	return s, true
}

// certificateYAML writes the certificate: block, or nil when the settings are the default
// ones (a course that never changed them exports as it was imported).
func certificateYAML(s *CertificateSettings) *yaml.Node {
	if s == nil || (s.Issue == DefaultCertificateSettings.Issue && s.ValidMonths == 0 && len(s.Signatories) == 0) {
		return nil
	}
	str := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }
	quoted := func(v string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v, Style: yaml.DoubleQuotedStyle}
	}
	block := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
		str("issue"), str(string(s.Issue)),
		str("valid_months"), {Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(s.ValidMonths)},
	}}
	if len(s.Signatories) > 0 {
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, sg := range s.Signatories {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle,
				Content: []*yaml.Node{str("name"), quoted(sg.Name), str("title"), quoted(sg.Title)}})
		}
		block.Content = append(block.Content, str("signatories"), list)
	}
	return block
}
