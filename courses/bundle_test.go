package courses

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aula-school/aula/courses/catalog"
)

const fixtureThreeLanguages = "testdata/bundles/three-languages"

// catalogCourses returns the folder of every course shipped in catalog/.
func catalogCourses(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("catalog")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, "catalog/"+e.Name())
		}
	}
	if len(dirs) != 8 {
		t.Fatalf("catalog has %d courses, want 8", len(dirs))
	}
	return dirs
}

func readBundleDir(t *testing.T, dir string) Bundle {
	t.Helper()
	b, errs := ReadBundle(os.DirFS(dir))
	for _, e := range errs {
		t.Errorf("%s: %v", dir, e)
	}
	if len(errs) > 0 {
		t.FailNow()
	}
	return b
}

// mapFS turns WriteBundle's output into a file system ReadBundle can read.
func mapFS(files map[string][]byte) fstest.MapFS {
	fsys := fstest.MapFS{}
	for p, data := range files {
		fsys[p] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestReadBundleAcceptsEveryCatalogCourse(t *testing.T) {
	withPortuguese := 0
	for _, dir := range catalogCourses(t) {
		b := readBundleDir(t, dir)
		c := b.Course
		if c.Slug != path.Base(dir) {
			t.Errorf("%s: slug %q, want the folder's name", dir, c.Slug)
		}
		if c.DefaultLanguage != "es" || c.Hours < 1 || !c.Level.Valid() || len(c.Audiences) == 0 {
			t.Errorf("%s: details not read: %+v", dir, c)
		}
		if c.ID != 0 || c.Status != "" || c.OwnerID != 0 || c.InstructorIDs != nil {
			t.Errorf("%s: the reader set what only the store may: %+v", dir, c)
		}
		langs := c.Languages()
		switch strings.Join(langs, ",") {
		case "es,en":
		case "es,en,pt":
			withPortuguese++
		default:
			t.Errorf("%s: languages %v", dir, langs)
		}
		if len(c.Modules) != 3 {
			t.Fatalf("%s: %d modules, want 3", dir, len(c.Modules))
		}
		for _, m := range c.Modules {
			if len(m.Lessons) != 2 {
				t.Errorf("%s/%s: %d lessons, want 2", dir, m.Key, len(m.Lessons))
			}
			for _, lang := range langs {
				if m.Titles[lang] == "" {
					t.Errorf("%s/%s: no %s title", dir, m.Key, lang)
				}
			}
			for _, l := range m.Lessons {
				for _, lang := range langs {
					text := l.Texts[lang]
					if text.Title == "" || text.Body == "" || strings.HasPrefix(text.Body, "\n") || strings.HasSuffix(text.Body, "\n") {
						t.Errorf("%s/%s/%s.%s: title %q, body not read or not trimmed", dir, m.Key, l.Key, lang, text.Title)
					}
				}
			}
		}
		if b.Images != nil {
			t.Errorf("%s: images %v from a course without images/", dir, b.Images)
		}
	}
	if withPortuguese != 1 {
		t.Errorf("%d courses in Portuguese, want 1", withPortuguese)
	}
}

// aula demo reads the catalog from the embedded copy, whose directory
// listings differ from a disk's; it must give the same courses.
func TestReadBundleReadsTheEmbeddedCatalogLikeTheFolders(t *testing.T) {
	for _, dir := range catalogCourses(t) {
		sub, err := fs.Sub(catalog.FS, path.Base(dir))
		if err != nil {
			t.Fatal(err)
		}
		got, errs := ReadBundle(sub)
		if len(errs) > 0 {
			t.Fatalf("%s: %v", dir, errs)
		}
		if want := readBundleDir(t, dir); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: embedded copy reads differently", dir)
		}
	}
}

func TestReadBundleRefusesTwoLessonsWithOneKey(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	files, _ := WriteBundle(b)
	files["01-first-steps/07-welcome.es.md"] = []byte("# Otra bienvenida\n\nTexto.")
	_, errs := ReadBundle(mapFS(files))
	if len(errs) != 1 || errs[0].Key != "bundle.lesson_key_duplicate" || errs[0].File != "01-first-steps/07-welcome.es.md" {
		t.Fatalf("errors: %v", errs)
	}
}

func TestReadBundleReadsLessonsInKeyOrderAndModulesInCourseYAMLOrder(t *testing.T) {
	b := readBundleDir(t, fixtureThreeLanguages)
	var got []string
	for _, m := range b.Course.Modules {
		for _, l := range m.Lessons {
			got = append(got, m.Key+"/"+l.Key)
		}
	}
	want := []string{
		"01-first-steps/welcome", "01-first-steps/photos",
		"02-going-further/only-spanish-and-english", "02-going-further/heading-only",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lessons %v, want %v", got, want)
	}
	welcome := b.Course.Modules[0].Lessons[0].Texts["pt"]
	wantWelcome := LessonText{
		Title: "Boas-vindas",
		Body:  "Este curso tem **imagens**:\n\n![Mapa](images/map.png)\n\n    um bloco de código indentado",
	}
	if welcome != wantWelcome {
		t.Errorf("lesson %+v, want %+v", welcome, wantWelcome)
	}
	if _, ok := b.Course.Modules[0].Lessons[1].Texts["pt"]; ok {
		t.Error("a lesson without a Portuguese file has a Portuguese text")
	}
	if got := b.Course.Modules[1].Lessons[1].Texts["es"]; got != (LessonText{Title: "Solo un título"}) {
		t.Errorf("heading-only lesson %+v", got)
	}
	var images []string
	for _, img := range b.Images {
		images = append(images, img.Name+" "+img.ContentType)
	}
	wantImages := []string{"diagram.gif image/gif", "icon.webp image/webp", "map.png image/png", "photo.jpg image/jpeg"}
	if !reflect.DeepEqual(images, wantImages) {
		t.Errorf("images %v, want %v", images, wantImages)
	}
}

// fixtureFS is the three-language fixture in memory, to be spoiled by a test.
func fixtureFS(t *testing.T) fstest.MapFS {
	t.Helper()
	files, err := WriteBundle(readBundleDir(t, fixtureThreeLanguages))
	if err != nil {
		t.Fatal(err)
	}
	return mapFS(files)
}

func TestReadBundleAcceptsWhatEditorsAndFileManagersAdd(t *testing.T) {
	want := readBundleDir(t, fixtureThreeLanguages)
	fsys := fixtureFS(t)
	lesson := "01-first-steps/01-welcome.es.md"
	withCRLF := strings.ReplaceAll(string(fsys[lesson].Data), "\n", "\r\n")
	fsys[lesson] = &fstest.MapFile{Data: []byte("\uFEFF" + withCRLF + "\r\n\r\n")}
	fsys["course.yaml"] = &fstest.MapFile{Data: append([]byte("\uFEFF"), fsys["course.yaml"].Data...)}
	fsys[".DS_Store"] = &fstest.MapFile{Data: []byte{0, 1, 2}}
	fsys[".git/config"] = &fstest.MapFile{Data: []byte("[core]")}
	fsys["01-first-steps/.01-welcome.es.md.swp"] = &fstest.MapFile{Data: []byte{0xff}}
	fsys["images/.thumbs/x.png"] = &fstest.MapFile{Data: []byte("x")}

	got, errs := ReadBundle(fsys)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestReadBundleReportsEveryProblemWithItsFileAndLine(t *testing.T) {
	courseYAML := strings.Join([]string{
		`slug: Not A Slug`, // 1
		`default_language: es`,
		`audiences: [police, firefighters]`,
		`level: expert`,
		`hours: 0`, // 5
		`colour: blue`,
		`translations:`,
		`  es:`,
		`    title: ""`,
		`    summary: "Resumen"`, // 10
		`  fr:`,
		`    title: "Cours"`,
		`modules:`,
		`  - folder: 01-intro`,
		`    titles:`, // 15
		`      es: "Introducción"`,
		`  - folder: 02-missing`,
		`    titles: {es: "Falta"}`,
		`  - folder: 01-intro`,
		`    titles: {es: "Otra vez"}`, // 20
		`  - folder: 03-empty`,
		`    titles: {es: "Vacío", en: "Empty"}`,
		`  - folder: "Módulo 4"`,
		`    titles: {}`,
		`  - folder: 04-untitled`, // 25
		`    titles: {es: ""}`,
		``,
	}, "\n")
	fsys := fstest.MapFS{
		"course.yaml":                  {Data: []byte(courseYAML)},
		"README.txt":                   {Data: []byte("notes")},
		".git/config":                  {Data: []byte("ignored")},
		"stray/file.md":                {Data: []byte("# Stray")},
		"01-intro/01-hello.es.md":      {Data: []byte("No heading\n\nBody")},
		"01-intro/02-bye.en.md":        {Data: []byte("# Bye\n\nOnly in English")},
		"01-intro/03-latin1.es.md":     {Data: []byte("# Título\n\nlínea\ncaf\xe9\n")},
		"01-intro/04-long.es.md":       {Data: []byte("# " + strings.Repeat("á", MaxTitleLength+1) + "\n")},
		"01-intro/05-huge.es.md":       {Data: []byte("# Huge\n\n" + strings.Repeat("a", MaxLessonLength+1))},
		"01-intro/06-subheading.es.md": {Data: []byte("## Not level one\n")},
		"01-intro/Notes.txt":           {Data: []byte("notes")},
		"01-intro/sub/x.md":            {Data: []byte("# X")},
		"03-empty/.keep":               {Data: nil},
		"04-untitled/01-a.es.md":       {Data: []byte("#\n\nNo title")},
		"images/evil.png":              {Data: []byte("<html><script>alert(1)</script></html>")},
		"images/bad name.png":          {Data: tinyPNG(t)},
		"images/big.png":               {Data: append(tinyPNG(t), make([]byte, MaxImageBytes)...)},
		"images/notes.txt":             {Data: []byte("text")},
	}
	type problem struct {
		File string
		Line int
		Key  string
	}
	want := []problem{
		{"01-intro/01-hello.es.md", 1, "bundle.lesson_heading_missing"},
		{"01-intro/02-bye.en.md", 0, "bundle.language_unknown"},
		{"01-intro/02-bye.es.md", 0, "bundle.lesson_default_missing"},
		{"01-intro/03-latin1.es.md", 4, "bundle.not_utf8"},
		{"01-intro/04-long.es.md", 1, "bundle.title_too_long"},
		{"01-intro/05-huge.es.md", 0, "bundle.lesson_too_long"},
		{"01-intro/06-subheading.es.md", 1, "bundle.lesson_heading_missing"},
		{"01-intro/Notes.txt", 0, "bundle.lesson_name_invalid"},
		{"01-intro/sub", 0, "bundle.unexpected_file"},
		{"03-empty", 0, "bundle.module_empty"},
		{"04-untitled/01-a.es.md", 1, "bundle.title_required"},
		{"README.txt", 0, "bundle.unexpected_file"},
		{"course.yaml", 1, "bundle.slug_invalid"},
		{"course.yaml", 3, "bundle.audiences_invalid"},
		{"course.yaml", 4, "bundle.level_invalid"},
		{"course.yaml", 5, "bundle.hours_invalid"},
		{"course.yaml", 6, "bundle.unknown_field"},
		{"course.yaml", 9, "bundle.title_required"},
		{"course.yaml", 11, "bundle.language_invalid"},
		{"course.yaml", 17, "bundle.module_folder_missing"},
		{"course.yaml", 19, "bundle.module_folder_duplicate"},
		{"course.yaml", 22, "bundle.language_unknown"},
		{"course.yaml", 23, "bundle.module_folder_invalid"},
		{"course.yaml", 26, "bundle.title_required"},
		{"images/bad name.png", 0, "bundle.image_name_invalid"},
		{"images/big.png", 0, "bundle.image_too_large"},
		{"images/evil.png", 0, "bundle.image_invalid"},
		{"images/notes.txt", 0, "bundle.image_name_invalid"},
		{"stray", 0, "bundle.folder_unlisted"},
	}
	b, errs := ReadBundle(fsys)
	var got []problem
	for _, e := range errs {
		got = append(got, problem{e.File, e.Line, e.Key})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", problemList(got), problemList(want))
	}
	if !reflect.DeepEqual(b, Bundle{}) {
		t.Errorf("a bundle with problems was returned: %+v", b)
	}
}

func problemList[T any](list []T) string {
	var b strings.Builder
	for _, p := range list {
		fmt.Fprintf(&b, "\t%+v\n", p)
	}
	return b.String()
}

func TestReadBundleReportsErrorsWithTheArgsTheirMessagesNeed(t *testing.T) {
	fsys := fixtureFS(t)
	fsys["course.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(fsys["course.yaml"].Data),
		"folder: 02-going-further", "folder: 02-gone", 1))}
	delete(fsys, "01-first-steps/02-photos.es.md")
	_, errs := ReadBundle(fsys)
	want := []BundleError{
		{File: "01-first-steps/02-photos.es.md", Key: "bundle.lesson_default_missing", Args: map[string]any{"Language": "es"}},
		{File: "02-going-further", Key: "bundle.folder_unlisted", Args: map[string]any{"Folder": "02-going-further"}},
		{File: "course.yaml", Line: 22, Key: "bundle.module_folder_missing", Args: map[string]any{"Folder": "02-gone"}},
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors %v\nwant %v", errs, want)
	}
	if got := want[2].Error(); got != "course.yaml:22: bundle.module_folder_missing Folder=02-gone" {
		t.Errorf("Error() = %q", got)
	}
}

func TestReadBundleWithoutCourseYAMLStillChecksTheLessons(t *testing.T) {
	fsys := fixtureFS(t)
	delete(fsys, "course.yaml")
	fsys["01-first-steps/01-welcome.en.md"] = &fstest.MapFile{Data: []byte("Welcome")}
	_, errs := ReadBundle(fsys)
	want := []BundleError{
		{File: "01-first-steps/01-welcome.en.md", Line: 1, Key: "bundle.lesson_heading_missing"},
		{File: "course.yaml", Key: "bundle.missing_course_yaml"},
	}
	if !reflect.DeepEqual(errs, want) {
		t.Errorf("errors %v, want %v", errs, want)
	}
}

func hasProblem(errs []BundleError, file, key string) bool {
	for _, e := range errs {
		if e.File == file && e.Key == key {
			return true
		}
	}
	return false
}
