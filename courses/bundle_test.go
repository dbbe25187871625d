package courses

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
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

func TestReadBundleReportsYAMLSyntaxErrorsAtTheirLine(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int
		key  string
	}{
		{"tab indentation", "slug: a\ntranslations:\n\tes: {}\n", 3, "bundle.yaml_syntax"},
		{"unclosed quote", "slug: a\nlevel: intermediate\nhours: \"10\nmodules: []\n", 3, "bundle.yaml_syntax"},
		{"mapping inside a value", "slug: a\nlevel: x: y\n", 2, "bundle.yaml_syntax"},
		{"a list, not fields", "- slug\n- level\n", 1, "bundle.field_invalid"},
		{"not UTF-8", "slug: a\nlevel: \xff\n", 2, "bundle.not_utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fixtureFS(t)
			fsys["course.yaml"] = &fstest.MapFile{Data: []byte(tt.yaml)}
			_, errs := ReadBundle(fsys)
			if len(errs) != 1 || errs[0].File != "course.yaml" || errs[0].Line != tt.line || errs[0].Key != tt.key {
				t.Fatalf("errors %v, want one %s at line %d", errs, tt.key, tt.line)
			}
			if tt.key == "bundle.yaml_syntax" && errs[0].Args["Detail"] == "" {
				t.Error("no detail from the parser")
			}
		})
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

func TestReadBundleReportsMissingAndMalformedFields(t *testing.T) {
	tests := []struct {
		name, yaml  string
		withLessons bool // the fixture's folders and images, so that only course.yaml is wrong
		want        []BundleError
	}{
		{"empty file", "", false, []BundleError{
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "slug"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "default_language"}},
			{File: "course.yaml", Line: 1, Key: "bundle.audiences_required"},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "level"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "hours"}},
			{File: "course.yaml", Line: 1, Key: "bundle.field_required", Args: map[string]any{"Field": "translations"}},
			{File: "course.yaml", Line: 1, Key: "bundle.modules_required"},
		}},
		{"wrong shapes and repeats", strings.Join([]string{
			"slug: [a, b]",
			"default_language: en",
			"audiences: police",
			"level: introductory",
			"hours: ten",
			"hours: 10",
			"translations:",
			"  es: {title: Hola}",
			"  es: {title: Hola otra vez}",
			"modules: []",
		}, "\n"), false, []BundleError{
			{File: "course.yaml", Line: 1, Key: "bundle.field_invalid", Args: map[string]any{"Field": "slug"}},
			{File: "course.yaml", Line: 3, Key: "bundle.field_invalid", Args: map[string]any{"Field": "audiences"}},
			{File: "course.yaml", Line: 5, Key: "bundle.hours_invalid", Args: map[string]any{"Max": MaxHours}},
			{File: "course.yaml", Line: 6, Key: "bundle.field_duplicate", Args: map[string]any{"Field": "hours"}},
			{File: "course.yaml", Line: 8, Key: "bundle.default_translation_missing", Args: map[string]any{"Language": "en"}},
			{File: "course.yaml", Line: 9, Key: "bundle.field_duplicate", Args: map[string]any{"Field": "es"}},
			{File: "course.yaml", Line: 10, Key: "bundle.modules_required"},
		}},
		{"translations and module titles", strings.Join([]string{
			"slug: three-languages",
			"default_language: es",
			"audiences: [police]",
			"level: advanced",
			"hours: 3",
			"translations:",
			`  es: {title: "Uno", summary: "` + strings.Repeat("a", MaxSummaryLength+1) + `"}`,
			`  en: {summary: "No title"}`,
			`  pt: "Um curso"`,
			"modules:",
			"  - folder: 01-first-steps",
			`    titles: {es: "Primeros pasos", en: "First steps", pt: "Primeiros passos", de: "Erste Schritte"}`,
			"  - folder: 02-going-further",
			"  - 03-just-a-string",
		}, "\n"), true, []BundleError{
			{File: "course.yaml", Line: 7, Key: "bundle.summary_too_long", Args: map[string]any{"Max": MaxSummaryLength}},
			{File: "course.yaml", Line: 8, Key: "bundle.title_required"},
			{File: "course.yaml", Line: 9, Key: "bundle.field_invalid", Args: map[string]any{"Field": "pt"}},
			{File: "course.yaml", Line: 12, Key: "bundle.language_invalid", Args: map[string]any{"Language": "de"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "es"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "en"}},
			{File: "course.yaml", Line: 13, Key: "bundle.module_title_missing", Args: map[string]any{"Folder": "02-going-further", "Language": "pt"}},
			{File: "course.yaml", Line: 14, Key: "bundle.field_invalid", Args: map[string]any{"Field": "modules"}},
		}},
		{"anchors and aliases are not followed", strings.Join([]string{
			"slug: &s three-languages",
			"default_language: es",
			"audiences: [police]",
			"level: *s",
			"hours: 3",
			"translations: {es: {title: Uno}, en: {title: One}, pt: {title: Um}}",
			"<<: {modules: []}",
			"modules:",
			"  - folder: 01-first-steps",
			"    titles: {es: Uno, en: One, pt: Um}",
			"  - folder: 02-going-further",
			"    titles: {es: Dos, en: Two, pt: Dois}",
		}, "\n"), true, []BundleError{
			{File: "course.yaml", Line: 4, Key: "bundle.field_invalid", Args: map[string]any{"Field": "level"}},
			{File: "course.yaml", Line: 7, Key: "bundle.unknown_field", Args: map[string]any{"Field": "<<"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.withLessons {
				fsys = fixtureFS(t)
			}
			fsys["course.yaml"] = &fstest.MapFile{Data: []byte(tt.yaml)}
			_, errs := ReadBundle(fsys)
			if !reflect.DeepEqual(errs, tt.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", problemList(errs), problemList(tt.want))
			}
		})
	}
}

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

func hasProblem(errs []BundleError, file, key string) bool {
	for _, e := range errs {
		if e.File == file && e.Key == key {
			return true
		}
	}
	return false
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
