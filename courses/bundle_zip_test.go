package courses

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

// zipEntry is one entry of a zip built by a test, name and mode as given.
type zipEntry struct {
	name   string
	data   []byte
	mode   fs.FileMode
	method uint16
}

func buildZip(t *testing.T, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: e.method}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fixtureZipEntries is the fixture as zip entries under prefix.
func fixtureZipEntries(t *testing.T, prefix string) []zipEntry {
	t.Helper()
	files, err := WriteBundle(readBundleDir(t, fixtureThreeLanguages))
	if err != nil {
		t.Fatal(err)
	}
	var entries []zipEntry
	for _, p := range SortKeys(files) {
		entries = append(entries, zipEntry{name: prefix + p, data: files[p], method: zip.Deflate})
	}
	return entries
}

func readZip(data []byte) (Bundle, []BundleError) {
	return ReadBundleZip(bytes.NewReader(data), int64(len(data)))
}

func TestReadBundleZipRefusesUnsafeEntriesBeforeReadingAny(t *testing.T) {
	tests := []struct {
		name  string
		entry zipEntry
	}{
		{"parent folder", zipEntry{name: "../evil.md"}},
		{"absolute path", zipEntry{name: "/abs.md"}},
		{"climbing back out", zipEntry{name: "a/../../b"}},
		{"backslashes", zipEntry{name: `..\..\evil.md`}},
		{"backslash in a folder", zipEntry{name: `01-a\01-b.es.md`}},
		{"drive letter", zipEntry{name: "C:/Windows/evil.md"}},
		{"dot element", zipEntry{name: "./course.yaml"}},
		{"empty element", zipEntry{name: "a//b.md"}},
		{"symlink", zipEntry{name: "images/link.png", data: []byte("/etc/passwd"), mode: fs.ModeSymlink | 0o777}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := append(fixtureZipEntries(t, ""), tt.entry)
			_, errs := readZip(buildZip(t, entries))
			want := []BundleError{{File: tt.entry.name, Key: "bundle.zip_unsafe_path"}}
			if !reflect.DeepEqual(errs, want) {
				t.Errorf("errors %v, want %v", errs, want)
			}
		})
	}
}

func TestReadBundleZipReportsEveryUnsafeEntry(t *testing.T) {
	entries := append(fixtureZipEntries(t, ""), zipEntry{name: "../a.md"}, zipEntry{name: "/b.md"})
	_, errs := readZip(buildZip(t, entries))
	if len(errs) != 2 {
		t.Errorf("errors %v, want both entries", errs)
	}
}

func TestReadBundleZipRefusesTooManyFiles(t *testing.T) {
	entries := fixtureZipEntries(t, "")
	for i := len(entries); i <= MaxZipEntries; i++ {
		entries = append(entries, zipEntry{name: "images/" + strings.Repeat("x", 1+i%50) + fmt.Sprint(i) + ".png"})
	}
	_, errs := readZip(buildZip(t, entries))
	if len(errs) != 1 || errs[0].Key != "bundle.zip_too_many_files" {
		t.Errorf("errors %v", errs)
	}
}

func TestReadBundleZipStopsCompressionBombs(t *testing.T) {
	zeros := make([]byte, 20<<20)
	var deflated bytes.Buffer
	zw := zip.NewWriter(&deflated)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "zeros", Method: zip.Deflate})
	w.Write(zeros)
	zw.Close()
	zr, err := zip.NewReader(bytes.NewReader(deflated.Bytes()), int64(deflated.Len()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := zr.File[0].OpenRaw()
	rawZeros, _ := io.ReadAll(raw)

	// withZeros is the fixture plus the compressed zeros, declared as size.
	withZeros := func(size uint64) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, e := range fixtureZipEntries(t, "") {
			w, _ := zw.Create(e.name)
			w.Write(e.data)
		}
		h := &zip.FileHeader{Name: "images/zeros.png", Method: zip.Deflate,
			CRC32: zr.File[0].CRC32, CompressedSize64: uint64(len(rawZeros)), UncompressedSize64: size}
		w, err := zw.CreateRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(rawZeros)
		zw.Close()
		return buf.Bytes()
	}

	t.Run("20 MiB of zeros", func(t *testing.T) {
		_, errs := readZip(withZeros(uint64(len(zeros))))
		want := []BundleError{{File: "images/zeros.png", Key: "bundle.zip_ratio", Args: map[string]any{"Max": MaxZipRatio}}}
		if !reflect.DeepEqual(errs, want) {
			t.Errorf("errors %v, want %v", errs, want)
		}
	})
	t.Run("headers that say the zeros are small", func(t *testing.T) {
		_, errs := readZip(withZeros(900 << 10))
		want := []BundleError{{File: "images/zeros.png", Key: "bundle.zip_invalid"}}
		if !reflect.DeepEqual(errs, want) {
			t.Errorf("errors %v, want %v", errs, want)
		}
	})
	t.Run("entry too large", func(t *testing.T) {
		entries := append(fixtureZipEntries(t, ""), zipEntry{name: "images/big.png", data: zeros[:MaxZipEntryBytes+1], method: zip.Store})
		_, errs := readZip(buildZip(t, entries))
		if len(errs) != 1 || errs[0].Key != "bundle.zip_too_large" || errs[0].File != "images/big.png" {
			t.Errorf("errors %v", errs)
		}
	})
	t.Run("total too large", func(t *testing.T) {
		entries := fixtureZipEntries(t, "")
		for i := range 6 {
			entries = append(entries, zipEntry{name: "images/part" + fmt.Sprint(i) + ".png", data: zeros[:9<<20], method: zip.Store})
		}
		_, errs := readZip(buildZip(t, entries))
		if len(errs) != 1 || errs[0].Key != "bundle.zip_too_large" {
			t.Errorf("errors %v", errs)
		}
	})
}

func TestReadBundleZipAcceptsACourseInOneTopLevelFolder(t *testing.T) {
	want := readBundleDir(t, fixtureThreeLanguages)
	entries := []zipEntry{{name: "three-languages/"}}
	entries = append(entries, fixtureZipEntries(t, "three-languages/")...)
	entries = append(entries,
		zipEntry{name: "__MACOSX/three-languages/._course.yaml", data: []byte{0, 5, 22, 7}},
		zipEntry{name: ".DS_Store", data: []byte{0}},
		zipEntry{name: "three-languages/.DS_Store", data: []byte{0}},
	)
	got, errs := readZip(buildZip(t, entries))
	if len(errs) > 0 {
		t.Fatalf("errors %v", errs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReadBundleZipReportsPathsInsideTheCourseFolder(t *testing.T) {
	entries := append(fixtureZipEntries(t, "course/"), zipEntry{name: "course/notes.txt", data: []byte("x")})
	_, errs := readZip(buildZip(t, entries))
	want := []BundleError{{File: "notes.txt", Key: "bundle.unexpected_file"}}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors %v, want %v", errs, want)
	}
}

func TestReadBundleZipNeedsCourseYAMLAtTheRootOrInTheOnlyFolder(t *testing.T) {
	entries := append(fixtureZipEntries(t, "a/"), fixtureZipEntries(t, "b/")...)
	_, errs := readZip(buildZip(t, entries))
	if len(errs) == 0 || !hasProblem(errs, "course.yaml", "bundle.missing_course_yaml") {
		t.Errorf("errors %v, want course.yaml missing", errs)
	}
}

func TestReadBundleZipRefusesWhatIsNotAZip(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("slug: a\n"),
		"truncated": buildZip(t, fixtureZipEntries(t, ""))[:200],
	} {
		_, errs := readZip(data)
		if len(errs) != 1 || errs[0].Key != "bundle.zip_invalid" {
			t.Errorf("%s: errors %v", name, errs)
		}
	}
}
