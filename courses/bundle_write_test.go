package courses

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path"
	"reflect"
	"testing"
)

func TestWriteBundleNumbersLessonsByPositionAndKeepsTheirKeys(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	m := &b.Course.Modules[0]
	m.Lessons[0], m.Lessons[1] = m.Lessons[1], m.Lessons[0] // an instructor moved "photos" up
	files, err := WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if files["01-first-steps/01-photos.es.md"] == nil || files["01-first-steps/02-welcome.es.md"] == nil {
		t.Fatalf("files not renumbered: %v", SortKeys(files))
	}
	back, errs := ReadBundle(mapFS(files))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if got := back.Course.Modules[0].Lessons; got[0].Key != "photos" || got[1].Key != "welcome" {
		t.Fatalf("order or keys lost: %s, %s", got[0].Key, got[1].Key)
	}
}

func TestWriteBundleThenReadBundleGivesBackTheSameCourse(t *testing.T) {
	for _, dir := range append(catalogCourses(t), fixtureThreeLanguages) {
		t.Run(path.Base(dir), func(t *testing.T) {
			b := readBundleDir(t, dir)
			files, err := WriteBundle(b)
			if err != nil {
				t.Fatal(err)
			}
			again, errs := ReadBundle(mapFS(files))
			if len(errs) > 0 {
				t.Fatalf("written bundle does not read back: %v", errs)
			}
			if !reflect.DeepEqual(again, b) {
				t.Errorf("round trip changed the course:\n got %+v\nwant %+v", again, b)
			}

			var zipped bytes.Buffer
			if err := WriteBundleZip(b, &zipped); err != nil {
				t.Fatal(err)
			}
			fromZip, errs := ReadBundleZip(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
			if len(errs) > 0 {
				t.Fatalf("written zip does not read back: %v", errs)
			}
			if !reflect.DeepEqual(fromZip, b) {
				t.Errorf("zip round trip changed the course:\n got %+v\nwant %+v", fromZip, b)
			}
		})
	}
}

// The fixture is written the way WriteBundle writes, so exporting it must give
// the very same files: exported courses look like hand-written ones.
func TestWriteBundleWritesTheDocumentedLayout(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	files, err := WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	err = fs.WalkDir(os.DirFS(fixtureThreeLanguages), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want[p], err = os.ReadFile(fixtureThreeLanguages + "/" + p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, wantKeys := SortKeys(files), SortKeys(want); !reflect.DeepEqual(got, wantKeys) {
		t.Fatalf("files %v, want %v", got, wantKeys)
	}
	for p, data := range want {
		if !bytes.Equal(files[p], data) {
			t.Errorf("%s:\n%s\nwant:\n%s", p, files[p], data)
		}
	}
}

func TestWriteBundleSortsAudiencesAndRefusesUnsafeNames(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	b.Course.Audiences = []Audience{AudienceCivilSociety, AudiencePolice}
	files, err := WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(files["course.yaml"], []byte("audiences: [police, civil_society]\n")) {
		t.Errorf("audiences not in Audiences order:\n%s", files["course.yaml"])
	}

	unsafe := map[string]func(b *Bundle){
		"module key with a slash": func(b *Bundle) { b.Course.Modules[0].Key = "../x" },
		"module key images":       func(b *Bundle) { b.Course.Modules[0].Key = "images" },
		"lesson key with a slash": func(b *Bundle) { b.Course.Modules[0].Lessons[0].Key = "01-a/../../b" },
		"image name with a path":  func(b *Bundle) { b.Images[0].Name = "../course.yaml" },
		"unknown language":        func(b *Bundle) { b.Course.Texts["fr"] = CourseText{Title: "Cours"} },
		"invalid slug":            func(b *Bundle) { b.Course.Slug = "Not a slug" },
	}
	for name, spoil := range unsafe {
		b := readBundleDir(t, fixtureThreeLanguages)
		spoil(&b)
		if _, err := WriteBundle(b); err == nil {
			t.Errorf("%s: written", name)
		}
	}
}

func TestWriteBundleZipPutsCourseYAMLFirstAndIsReproducible(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	var one, two bytes.Buffer
	if err := WriteBundleZip(b, &one); err != nil {
		t.Fatal(err)
	}
	if err := WriteBundleZip(b, &two); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Error("the same course gave two different zips")
	}
	zr, err := zip.NewReader(bytes.NewReader(one.Bytes()), int64(one.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if zr.File[0].Name != "course.yaml" || len(zr.File) != 13 {
		t.Errorf("first entry %q of %d", zr.File[0].Name, len(zr.File))
	}
}
