package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store/storetest"
)

func TestACertificateBlockRoundTripsThroughImportAndExport(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	b := fixture(t)
	want := courses.CertificateSettings{Issue: courses.IssueManual, ValidMonths: 36,
		Signatories: []courses.Signatory{{Name: "Coordinación académica", Title: "Programa regional"}, {Name: "Dirección"}}}
	b.Certificate = &want
	id, _, err := st.ImportBundle(ctx, owner.ID, b)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.CertificateSettings(ctx, id); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("imported settings: %+v %v", got, err)
	}
	wantFiles, err := courses.WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	gotFiles, err := courses.WriteBundle(exported(t, st, id))
	if err != nil {
		t.Fatal(err)
	}
	if string(gotFiles["course.yaml"]) != string(wantFiles["course.yaml"]) || !strings.Contains(string(gotFiles["course.yaml"]), "issue: manual") {
		t.Fatalf("exported course.yaml:\n%s\nwant:\n%s", gotFiles["course.yaml"], wantFiles["course.yaml"])
	}

	// Re-importing without the block keeps what was set (on the web, or by the last import).
	b.Certificate = nil
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.CertificateSettings(ctx, id); !reflect.DeepEqual(got, want) {
		t.Fatalf("a bundle without the block changed the settings: %+v", got)
	}
	// A block says what it says: here, the default rule and nothing more.
	b.Certificate = &courses.CertificateSettings{Issue: courses.IssueNone}
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.CertificateSettings(ctx, id); got.Issue != courses.IssueNone || got.ValidMonths != 0 || len(got.Signatories) != 0 {
		t.Fatalf("settings after a block of none: %+v", got)
	}
}
