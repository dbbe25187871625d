package courses

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Bundle is a course read from files, with its images. The files are what an
// instructor edits in a text editor and shares as a zip.
type Bundle struct {
	Course Course // IDs, Status, OwnerID and InstructorIDs are left zero
	Images []Image
}

// BundleError is one problem, where it is. Key is a translation key (the web
// page shows it in the user's language); Args fill its placeholders. Line is 0
// when the problem is not on a line (a missing file, a whole file).
type BundleError struct {
	File string
	Line int
	Key  string
	Args map[string]any
}

// Error is an English-ish fallback for logs and tests: "file:line: key args".
func (e BundleError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Key)
	for _, k := range SortKeys(e.Args) {
		fmt.Fprintf(&b, " %s=%v", k, e.Args[k])
	}
	return b.String()
}

// Names in a bundle.
const (
	courseFile   = "course.yaml"
	imagesFolder = "images"
)

// Limits on what the reader loads, so that a stray video or a hostile upload
// cannot exhaust memory. They are well above anything a real course needs.
const (
	MaxCourseYAMLBytes = 1 << 20
	// A lesson file holds its heading and blank lines besides the body; past
	// this it is too long whatever those are.
	maxLessonFileBytes = MaxLessonLength + 64<<10
)

// Limits on zips, checked before anything is extracted.
const (
	MaxZipEntries    = 1000
	MaxZipTotalBytes = 50 << 20
	MaxZipEntryBytes = 10 << 20
	MaxZipRatio      = 100
	zipRatioMinBytes = 1 << 20 // small entries compress well without being bombs
)

const (
	// macOSZipMetadata is the folder of resource forks macOS's "Compress"
	// adds to every zip; it is never part of the course.
	macOSZipMetadata = "__MACOSX"
	// Notepad and some other editors start UTF-8 files with a byte-order mark.
	utf8ByteOrderMark = "\uFEFF"
)

var (
	// lessonNamePattern is built from Languages so that a new language is one edit.
	// The number orders lessons in their module; the rest of the name is the lesson's key, which
	// stays the same when lessons are reordered, so a re-import keeps trainees' progress.
	lessonNamePattern = regexp.MustCompile(`^([0-9]{2,3}-([a-z0-9]+(?:-[a-z0-9]+)*))\.(` + strings.Join(Languages, "|") + `)\.md$`)
	// Module folders become keys in URLs and re-imports, like slugs.
	moduleFolderPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// bundleFile is one regular file found in a bundle.
type bundleFile struct {
	data     []byte
	tooLarge bool // longer than the reader loads for its kind; data holds only the start
}

// bundleTree is a bundle's files and folders, hidden ones left out, with
// slash-separated paths relative to the folder that holds course.yaml.
type bundleTree struct {
	files   map[string]*bundleFile
	dirs    map[string]bool
	strange []string // neither file nor folder (symlinks, devices)
	errs    []BundleError
}

func newBundleTree() *bundleTree {
	return &bundleTree{files: map[string]*bundleFile{}, dirs: map[string]bool{}}
}

// bundleHidden reports whether any element of p starts with a dot: editors, Git and
// file managers leave such files (.git, .DS_Store) and they are not the course.
func bundleHidden(p string) bool {
	for _, el := range strings.Split(p, "/") {
		if strings.HasPrefix(el, ".") {
			return true
		}
	}
	return false
}

// bundleReadLimit is how much of the file at p the reader loads, or 0 when the file
// cannot belong to a course whatever it holds, so only its name matters.
func bundleReadLimit(p string) int64 {
	parts := strings.Split(p, "/")
	switch {
	case len(parts) == 1 && p == courseFile:
		return MaxCourseYAMLBytes
	case len(parts) == 2 && parts[0] == imagesFolder:
		return MaxImageBytes
	case len(parts) == 2:
		return maxLessonFileBytes
	}
	return 0
}

// ReadBundle reads and validates the course in fsys, which is rooted at the
// folder holding course.yaml. It returns every problem found, each with where
// it is, so that an instructor can fix them all in one go; the Bundle is only
// filled in when there are none.
func ReadBundle(fsys fs.FS) (Bundle, []BundleError) {
	t := newBundleTree()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if p == "." {
			return err
		}
		if bundleHidden(p) {
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err != nil {
			t.errs = append(t.errs, BundleError{File: p, Key: "bundle.file_unreadable"})
			return nil
		}
		switch {
		case d.IsDir():
			t.dirs[p] = true
			// Nothing in a course is deeper than two levels: record the folder
			// to report it, and do not wander through its contents.
			if strings.Count(p, "/") >= 1 {
				return fs.SkipDir
			}
		case d.Type().IsRegular():
			f := &bundleFile{}
			if limit := bundleReadLimit(p); limit > 0 {
				data, err := readFileLimited(fsys, p, limit)
				if err != nil {
					t.errs = append(t.errs, BundleError{File: p, Key: "bundle.file_unreadable"})
					return nil
				}
				f.data, f.tooLarge = data, int64(len(data)) > limit
			}
			t.files[p] = f
		default:
			t.strange = append(t.strange, p)
		}
		return nil
	})
	if err != nil {
		return Bundle{}, []BundleError{{Key: "bundle.file_unreadable"}}
	}
	return t.validate()
}

// readFileLimited reads at most limit+1 bytes, so that the caller sees a file
// is too long without loading all of it.
func readFileLimited(fsys fs.FS, p string, limit int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, limit+1))
}

// ReadBundleZip reads and validates a course sent as a zip. Every entry's name
// and the declared sizes are checked before anything is decompressed, and
// decompression stops as soon as a limit is passed, whatever the headers say.
// The course may be at the zip's root or inside one top-level folder, which is
// what "compress folder" in file managers produces.
func ReadBundleZip(r io.ReaderAt, size int64) (Bundle, []BundleError) {
	zr, err := zip.NewReader(r, size)
	// ErrInsecurePath (with GODEBUG=zipinsecurepath=0) still returns a usable
	// reader; the names are checked below in any case.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return Bundle{}, []BundleError{{Key: "bundle.zip_invalid"}}
	}
	if len(zr.File) > MaxZipEntries {
		return Bundle{}, []BundleError{{Key: "bundle.zip_too_many_files", Args: map[string]any{"Max": MaxZipEntries}}}
	}

	// First pass: names, kinds and declared sizes only. Honest headers of a
	// bomb are refused here; lying ones are caught while reading, by the
	// limits below and by archive/zip, which stops at the declared size.
	var errs []BundleError
	seen := map[string]bool{}
	var declared uint64
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if !safeZipName(f.Name) || f.Mode()&fs.ModeSymlink != 0 || f.Mode()&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0 {
			errs = append(errs, BundleError{File: f.Name, Key: "bundle.zip_unsafe_path"})
			continue
		}
		if seen[name] {
			// Two entries with one name: which one was checked would depend on the reader.
			errs = append(errs, BundleError{File: f.Name, Key: "bundle.zip_invalid"})
			continue
		}
		seen[name] = true
		if f.UncompressedSize64 > zipRatioMinBytes && f.UncompressedSize64/MaxZipRatio > f.CompressedSize64 {
			errs = append(errs, BundleError{File: f.Name, Key: "bundle.zip_ratio", Args: map[string]any{"Max": MaxZipRatio}})
		} else if f.UncompressedSize64 > MaxZipEntryBytes {
			errs = append(errs, BundleError{File: f.Name, Key: "bundle.zip_too_large", Args: map[string]any{"Max": bundleMiB(MaxZipEntryBytes)}})
		}
		declared += f.UncompressedSize64
	}
	if declared > MaxZipTotalBytes {
		errs = append(errs, BundleError{Key: "bundle.zip_too_large", Args: map[string]any{"Max": bundleMiB(MaxZipTotalBytes)}})
	}
	if len(errs) > 0 {
		return Bundle{}, sortBundleErrors(errs)
	}

	// Second pass: decompress into memory, counting real bytes.
	contents := map[string][]byte{}
	var dirs []string
	var total int64
	for _, f := range zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if f.FileInfo().IsDir() {
			dirs = append(dirs, name)
			continue
		}
		data, e := readZipEntry(f, size, MaxZipTotalBytes-total)
		if e != nil {
			return Bundle{}, []BundleError{*e}
		}
		total += int64(len(data))
		contents[name] = data
	}

	prefix := zipCoursePrefix(contents, dirs)
	t := newBundleTree()
	addDir := func(p string) {
		for p != "." && p != "" {
			t.dirs[p] = true
			p = path.Dir(p)
		}
	}
	for _, d := range dirs {
		if rel, ok := underPrefix(d, prefix); ok && !bundleHidden(rel) && rel != "" {
			addDir(rel)
		}
	}
	for name, data := range contents {
		rel, ok := underPrefix(name, prefix)
		if !ok || bundleHidden(rel) {
			continue
		}
		addDir(path.Dir(rel))
		f := &bundleFile{data: data}
		if limit := bundleReadLimit(rel); limit > 0 && int64(len(data)) > limit {
			f.tooLarge = true
		}
		t.files[rel] = f
	}
	return t.validate()
}

// bundleMiB expresses a limit in the unit messages show.
func bundleMiB(n int) int { return n >> 20 }

// safeZipName refuses every name that could land outside the folder it is
// extracted to, on any system: "..", absolute paths, backslashes (a separator
// on Windows), drive letters, empty or "." elements.
func safeZipName(name string) bool {
	name = strings.TrimSuffix(name, "/")
	if name == "" || strings.ContainsAny(name, "\\\x00") || strings.Contains(name, ":") {
		return false
	}
	return fs.ValidPath(name)
}

// readZipEntry decompresses one entry, stopping at the first limit passed:
// its own size, what is left of the total, or the compression ratio.
func readZipEntry(f *zip.File, zipSize int64, totalLeft int64) ([]byte, *BundleError) {
	limit := int64(MaxZipEntryBytes)
	tooLarge := BundleError{File: f.Name, Key: "bundle.zip_too_large", Args: map[string]any{"Max": bundleMiB(MaxZipEntryBytes)}}
	if totalLeft < limit {
		limit = totalLeft
		tooLarge = BundleError{File: f.Name, Key: "bundle.zip_too_large", Args: map[string]any{"Max": bundleMiB(MaxZipTotalBytes)}}
	}
	// The compressed size cannot really exceed the zip itself, whatever the header says.
	compressed := int64(f.CompressedSize64)
	if compressed < 0 || compressed > zipSize {
		compressed = zipSize
	}
	ratioLimit := max(int64(zipRatioMinBytes), compressed*MaxZipRatio)
	if ratioLimit < limit {
		limit = ratioLimit
		tooLarge = BundleError{File: f.Name, Key: "bundle.zip_ratio", Args: map[string]any{"Max": MaxZipRatio}}
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &BundleError{File: f.Name, Key: "bundle.zip_invalid"}
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if int64(len(data)) > limit {
		return nil, &tooLarge
	}
	if err != nil {
		// A bad checksum or broken deflate stream.
		return nil, &BundleError{File: f.Name, Key: "bundle.zip_invalid"}
	}
	return data, nil
}

// zipCoursePrefix finds where course.yaml is: at the root, or inside the one
// top-level folder every other entry is in. Hidden entries and the __MACOSX
// folder macOS adds do not count.
func zipCoursePrefix(contents map[string][]byte, dirs []string) string {
	if _, ok := contents[courseFile]; ok {
		return ""
	}
	tops := map[string]bool{}
	for _, name := range append(SortKeys(contents), dirs...) {
		if bundleHidden(name) {
			continue
		}
		top, _, nested := strings.Cut(name, "/")
		if top == macOSZipMetadata {
			continue
		}
		if !nested {
			if _, isFile := contents[name]; isFile {
				return "" // a file at the root: the course is there, or nowhere
			}
		}
		tops[top] = true
	}
	if len(tops) != 1 {
		return ""
	}
	for top := range tops {
		if _, ok := contents[top+"/"+courseFile]; ok {
			return top + "/"
		}
	}
	return ""
}

// underPrefix returns name relative to prefix, and whether it is under it at
// all. The __MACOSX folder is never part of the course.
func underPrefix(name, prefix string) (string, bool) {
	if name == macOSZipMetadata || strings.HasPrefix(name, macOSZipMetadata+"/") {
		return "", false
	}
	if !strings.HasPrefix(name, prefix) {
		return "", false
	}
	return strings.TrimPrefix(name, prefix), true
}

// bundleErrorList collects problems as they are found.
type bundleErrorList []BundleError

func (l *bundleErrorList) add(file string, line int, key string, args map[string]any) {
	*l = append(*l, BundleError{File: file, Line: line, Key: key, Args: args})
}

// at adds a problem in course.yaml at the line of n.
func (l *bundleErrorList) at(n *yaml.Node, key string, args map[string]any) {
	l.add(courseFile, n.Line, key, args)
}

// sortBundleErrors orders problems by file and line, as an instructor fixes
// them, keeping the order they were found in within a line.
func sortBundleErrors(errs []BundleError) []BundleError {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
	return errs
}

// courseSpec is what course.yaml says, as far as it could be understood.
type courseSpec struct {
	parsed    bool // course.yaml exists and is YAML; otherwise nothing else is known
	course    Course
	languages map[string]bool // the languages the course has translations for
	// languagesKnown is false when translations is missing or malformed: then
	// the languages of lessons and module titles are not checked, rather than
	// each reported as unknown.
	languagesKnown bool
	modules        []moduleSpec
}

type moduleSpec struct {
	folder string
	node   *yaml.Node // the folder's value, for lines
	titles map[string]string
}

// validate checks the whole tree and builds the course when all is well.
func (t *bundleTree) validate() (Bundle, []BundleError) {
	errs := bundleErrorList(t.errs)
	spec := parseCourseYAML(t.files[courseFile], &errs)

	// Which top-level folders are modules. When course.yaml cannot be read,
	// every folder is taken for one, so that the lessons are still checked.
	modules := map[string]bool{}
	if spec.parsed {
		for _, m := range spec.modules {
			if m.folder == "" || modules[m.folder] {
				continue
			}
			modules[m.folder] = true
			if !t.dirs[m.folder] {
				errs.at(m.node, "bundle.module_folder_missing", map[string]any{"Folder": m.folder})
			}
		}
	} else {
		for d := range t.dirs {
			if !strings.Contains(d, "/") && d != imagesFolder {
				modules[d] = true
			}
		}
	}

	// Every file and folder must be something the course uses.
	reported := map[string]bool{}
	unexpected := func(p, key string, args map[string]any) {
		if !reported[p] {
			reported[p] = true
			errs.add(p, 0, key, args)
		}
	}
	for _, p := range t.strange {
		unexpected(p, "bundle.unexpected_file", nil)
	}
	for d := range t.dirs {
		top, rest, nested := strings.Cut(d, "/")
		switch {
		case !nested && top != imagesFolder && !modules[top]:
			unexpected(top, "bundle.folder_unlisted", map[string]any{"Folder": top})
		case nested && (top == imagesFolder || modules[top]):
			unexpected(top+"/"+strings.SplitN(rest, "/", 2)[0], "bundle.unexpected_file", nil)
		}
	}
	var images []Image
	lessonFiles := map[string][]string{} // module folder -> lesson file names
	for _, p := range SortKeys(t.files) {
		parts := strings.Split(p, "/")
		switch {
		case p == courseFile:
		case len(parts) == 1:
			unexpected(p, "bundle.unexpected_file", nil)
		case len(parts) > 2:
			// Reported with its folder above, unless that folder is not listed
			// at all, which was reported instead.
			if parts[0] == imagesFolder || modules[parts[0]] {
				unexpected(parts[0]+"/"+parts[1], "bundle.unexpected_file", nil)
			}
		case parts[0] == imagesFolder:
			if img, ok := checkBundleImage(p, parts[1], t.files[p], &errs); ok {
				images = append(images, img)
			}
		case modules[parts[0]]:
			lessonFiles[parts[0]] = append(lessonFiles[parts[0]], parts[1])
		}
	}

	// Lessons, module by module.
	course := spec.course
	for _, m := range spec.modules {
		if !t.dirs[m.folder] {
			continue
		}
		module := Module{Key: m.folder, Titles: m.titles}
		module.Lessons = readLessons(t, m.folder, lessonFiles[m.folder], spec, &errs)
		course.Modules = append(course.Modules, module)
		delete(lessonFiles, m.folder)
	}
	// Folders read as modules only because course.yaml was unreadable.
	for _, folder := range SortKeys(lessonFiles) {
		readLessons(t, folder, lessonFiles[folder], spec, &errs)
	}

	if len(errs) > 0 {
		return Bundle{}, sortBundleErrors(errs)
	}
	return Bundle{Course: course, Images: images}, nil
}

// checkBundleImage checks one file in images/.
func checkBundleImage(p, name string, f *bundleFile, errs *bundleErrorList) (Image, bool) {
	if !ValidImageName(name) {
		errs.add(p, 0, "bundle.image_name_invalid", map[string]any{"Name": name})
		return Image{}, false
	}
	// No Args: the upload page shows CheckImage's keys as they are, so the
	// messages must not need any.
	if f.tooLarge {
		errs.add(p, 0, keyImageTooLarge, nil)
		return Image{}, false
	}
	ct, key := CheckImage(f.data)
	if key != "" {
		errs.add(p, 0, key, nil)
		return Image{}, false
	}
	return Image{Name: name, ContentType: ct, Data: f.data}, true
}

// readLessons checks the files of one module folder and returns its lessons in key order.
func readLessons(t *bundleTree, folder string, names []string, spec courseSpec, errs *bundleErrorList) []Lesson {
	texts := map[string]map[string]LessonText{} // lesson key -> language -> text
	for _, name := range names {
		p := folder + "/" + name
		m := lessonNamePattern.FindStringSubmatch(name)
		if m == nil {
			errs.add(p, 0, "bundle.lesson_name_invalid", map[string]any{"Name": name})
			continue
		}
		key, lang := m[1], m[3]
		if spec.languagesKnown && !spec.languages[lang] {
			errs.add(p, 0, "bundle.language_unknown", map[string]any{"Language": lang})
		}
		text, ok := parseLesson(p, t.files[p], errs)
		if !ok {
			continue
		}
		if texts[key] == nil {
			texts[key] = map[string]LessonText{}
		}
		texts[key][lang] = text
	}
	if len(names) == 0 {
		errs.add(folder, 0, "bundle.module_empty", map[string]any{"Folder": folder})
	}
	var lessons []Lesson
	def := spec.course.DefaultLanguage
	seen := map[string]string{} // lesson key -> the numbered name that has it
	for _, key := range SortKeys(texts) {
		short := key[strings.IndexByte(key, '-')+1:] // "01-what-is" → "what-is"
		if other, dup := seen[short]; dup {
			errs.add(folder+"/"+key+"."+def+".md", 0, "bundle.lesson_key_duplicate", map[string]any{"Name": short, "Other": other})
			continue
		}
		seen[short] = key
		// Trainees fall back to the default language, so it must be there.
		// A file that exists but is broken has been reported already.
		if spec.languages[def] {
			if _, ok := texts[key][def]; !ok && t.files[folder+"/"+key+"."+def+".md"] == nil {
				errs.add(folder+"/"+key+"."+def+".md", 0, "bundle.lesson_default_missing", map[string]any{"Language": def})
			}
		}
		lessons = append(lessons, Lesson{Key: short, Texts: texts[key]})
	}
	return lessons
}

// parseLesson reads "# Title", then the Markdown body. Windows line endings and
// a byte-order mark, which editors add unasked, are dropped.
func parseLesson(p string, f *bundleFile, errs *bundleErrorList) (LessonText, bool) {
	ok := true
	if f.tooLarge {
		errs.add(p, 0, "bundle.lesson_too_long", map[string]any{"Max": MaxLessonLength})
		return LessonText{}, false
	}
	src := f.data
	if line := firstInvalidUTF8Line(src); line > 0 {
		errs.add(p, line, "bundle.not_utf8", nil)
		ok = false
	}
	s := strings.TrimPrefix(string(src), utf8ByteOrderMark)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	first, rest, _ := strings.Cut(s, "\n")
	title, isHeading := lessonHeading(first)
	if !isHeading {
		errs.add(p, 1, "bundle.lesson_heading_missing", nil)
		ok = false
	} else if key, args := bundleTitleProblem(title); key != "" {
		errs.add(p, 1, key, args)
		ok = false
	}
	body := trimLessonBody(rest)
	if len(body) > MaxLessonLength {
		errs.add(p, 0, "bundle.lesson_too_long", map[string]any{"Max": MaxLessonLength})
		ok = false
	}
	return LessonText{Title: title, Body: body}, ok
}

// lessonHeading returns the title of a level-one ATX heading ("# Title").
func lessonHeading(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "#")
	if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t') {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// trimLessonBody drops whole blank lines at the start (keeping the indentation
// of the first line with text, which means something in Markdown) and all
// trailing white space.
func trimLessonBody(s string) string {
	for {
		line, rest, found := strings.Cut(s, "\n")
		if !found || strings.TrimSpace(line) != "" {
			break
		}
		s = rest
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return strings.TrimRight(s, " \t\r\n")
}

// firstInvalidUTF8Line returns the line of the first byte that is not UTF-8, or 0.
func firstInvalidUTF8Line(b []byte) int {
	if utf8.Valid(b) {
		return 0
	}
	line := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[size:]
	}
	return line
}

// bundleTitleProblem maps ValidateTitle's answer to the bundle's keys.
func bundleTitleProblem(title string) (string, map[string]any) {
	switch ValidateTitle(title) {
	case "":
		return "", nil
	case "error.title.too_long":
		return "bundle.title_too_long", map[string]any{"Max": MaxTitleLength}
	default:
		return "bundle.title_required", nil
	}
}

// parseCourseYAML reads course.yaml as a node tree rather than into a struct,
// so that every problem can be reported with its line.
func parseCourseYAML(f *bundleFile, errs *bundleErrorList) courseSpec {
	spec := courseSpec{languages: map[string]bool{}}
	if f == nil {
		errs.add(courseFile, 0, "bundle.missing_course_yaml", nil)
		return spec
	}
	if f.tooLarge {
		errs.add(courseFile, 0, "bundle.course_yaml_too_large", map[string]any{"Max": bundleMiB(MaxCourseYAMLBytes)})
		return spec
	}
	if line := firstInvalidUTF8Line(f.data); line > 0 {
		errs.add(courseFile, line, "bundle.not_utf8", nil)
		return spec
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(f.data, &doc); err != nil {
		line, detail := yamlErrorLine(err)
		errs.add(courseFile, line, "bundle.yaml_syntax", map[string]any{"Detail": detail})
		return spec
	}
	root := &yaml.Node{Kind: yaml.MappingNode, Line: 1} // an empty file lacks everything
	if len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		errs.at(root, "bundle.field_invalid", map[string]any{"Field": courseFile})
		return spec
	}
	spec.parsed = true
	c := &spec.course
	c.Texts = map[string]CourseText{}

	fields := mappingFields(root, []string{"slug", "default_language", "audiences", "level", "hours", "translations", "modules"}, errs)

	if n := requiredScalar(root, fields, "slug", errs); n != nil {
		c.Slug = n.Value
		if !ValidSlug(c.Slug) {
			errs.at(n, "bundle.slug_invalid", map[string]any{"Slug": c.Slug})
		}
	}
	if n := requiredScalar(root, fields, "default_language", errs); n != nil {
		c.DefaultLanguage = n.Value
		if !ValidLanguage(c.DefaultLanguage) {
			errs.at(n, "bundle.language_invalid", map[string]any{"Language": n.Value})
		}
	}
	if n := fields["audiences"]; n == nil {
		errs.at(root, "bundle.audiences_required", nil)
	} else if n.Kind != yaml.SequenceNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "audiences"})
	} else if len(n.Content) == 0 {
		errs.at(n, "bundle.audiences_required", nil)
	} else {
		var list []string
		for _, a := range n.Content {
			if a.Kind != yaml.ScalarNode || !Audience(a.Value).Valid() {
				errs.at(a, "bundle.audiences_invalid", map[string]any{"Audience": a.Value})
				continue
			}
			list = append(list, a.Value)
		}
		c.Audiences = SortedAudiences(list)
	}
	if n := requiredScalar(root, fields, "level", errs); n != nil {
		c.Level = Level(n.Value)
		if !c.Level.Valid() {
			errs.at(n, "bundle.level_invalid", map[string]any{"Level": n.Value})
		}
	}
	if n := requiredScalar(root, fields, "hours", errs); n != nil {
		var h int
		if n.ShortTag() != "!!int" || n.Decode(&h) != nil || h < 1 || h > MaxHours {
			errs.at(n, "bundle.hours_invalid", map[string]any{"Max": MaxHours})
		}
		c.Hours = h
	}

	if n := fields["translations"]; n == nil {
		errs.at(root, "bundle.field_required", map[string]any{"Field": "translations"})
	} else if n.Kind != yaml.MappingNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "translations"})
	} else {
		spec.languagesKnown = true
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !ValidLanguage(k.Value) {
				errs.at(k, "bundle.language_invalid", map[string]any{"Language": k.Value})
				continue
			}
			if spec.languages[k.Value] {
				errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
				continue
			}
			spec.languages[k.Value] = true
			c.Texts[k.Value] = parseTranslation(k, v, errs)
		}
		if ValidLanguage(c.DefaultLanguage) && !spec.languages[c.DefaultLanguage] {
			errs.at(n, "bundle.default_translation_missing", map[string]any{"Language": c.DefaultLanguage})
		}
	}

	if n := fields["modules"]; n == nil {
		errs.at(root, "bundle.modules_required", nil)
	} else if n.Kind != yaml.SequenceNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "modules"})
	} else if len(n.Content) == 0 {
		errs.at(n, "bundle.modules_required", nil)
	} else {
		folders := map[string]bool{}
		for _, item := range n.Content {
			if m, ok := parseModule(item, spec.languages, spec.languagesKnown, folders, errs); ok {
				spec.modules = append(spec.modules, m)
			}
		}
	}
	return spec
}

var yamlLinePattern = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine takes the line out of yaml.v3's message, which has no typed
// error for syntax problems.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return line, m[2]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// mappingFields returns a mapping's values by key, reporting keys that are
// unknown or repeated. Aliases and merge keys are not followed: course.yaml
// has no use for them, and expanding them is how YAML bombs work.
func mappingFields(n *yaml.Node, known []string, errs *bundleErrorList) map[string]*yaml.Node {
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode || !slices.Contains(known, k.Value):
			errs.at(k, "bundle.unknown_field", map[string]any{"Field": k.Value})
		case fields[k.Value] != nil:
			errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
		default:
			fields[k.Value] = v
		}
	}
	return fields
}

// requiredScalar returns the field's node when it is present and a single value.
func requiredScalar(parent *yaml.Node, fields map[string]*yaml.Node, name string, errs *bundleErrorList) *yaml.Node {
	n := fields[name]
	switch {
	case n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"):
		errs.at(bundleOr(n, parent), "bundle.field_required", map[string]any{"Field": name})
		return nil
	case n.Kind != yaml.ScalarNode:
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": name})
		return nil
	}
	return n
}

func bundleOr(n, parent *yaml.Node) *yaml.Node {
	if n != nil {
		return n
	}
	return parent
}

// parseTranslation reads one language's title and summary.
func parseTranslation(k, v *yaml.Node, errs *bundleErrorList) CourseText {
	if v.Kind != yaml.MappingNode {
		errs.at(v, "bundle.field_invalid", map[string]any{"Field": k.Value})
		return CourseText{}
	}
	fields := mappingFields(v, []string{"title", "summary"}, errs)
	var text CourseText
	if n := fields["title"]; n == nil || n.Kind != yaml.ScalarNode {
		errs.at(bundleOr(n, k), "bundle.title_required", nil)
	} else {
		text.Title = strings.TrimSpace(n.Value)
		if key, args := bundleTitleProblem(text.Title); key != "" {
			errs.at(n, key, args)
		}
	}
	if n := fields["summary"]; n != nil {
		if n.Kind != yaml.ScalarNode {
			errs.at(n, "bundle.field_invalid", map[string]any{"Field": "summary"})
		} else {
			text.Summary = strings.TrimSpace(n.Value)
			if utf8.RuneCountInString(text.Summary) > MaxSummaryLength {
				errs.at(n, "bundle.summary_too_long", map[string]any{"Max": MaxSummaryLength})
			}
		}
	}
	return text
}

// parseModule reads one item of modules; ok is false when it has no usable folder.
func parseModule(item *yaml.Node, languages map[string]bool, known bool, folders map[string]bool, errs *bundleErrorList) (moduleSpec, bool) {
	if item.Kind != yaml.MappingNode {
		errs.at(item, "bundle.field_invalid", map[string]any{"Field": "modules"})
		return moduleSpec{}, false
	}
	fields := mappingFields(item, []string{"folder", "titles"}, errs)
	n := requiredScalar(item, fields, "folder", errs)
	if n == nil {
		return moduleSpec{}, false
	}
	m := moduleSpec{folder: n.Value, node: n, titles: map[string]string{}}
	switch {
	case !moduleFolderPattern.MatchString(m.folder) || len(m.folder) > 100 || m.folder == imagesFolder:
		errs.at(n, "bundle.module_folder_invalid", map[string]any{"Folder": m.folder})
		return moduleSpec{}, false
	case folders[m.folder]:
		errs.at(n, "bundle.module_folder_duplicate", map[string]any{"Folder": m.folder})
		return moduleSpec{}, false
	}
	folders[m.folder] = true

	titles := fields["titles"]
	if titles == nil {
		titles = &yaml.Node{Kind: yaml.MappingNode, Line: item.Line}
	} else if titles.Kind != yaml.MappingNode {
		errs.at(titles, "bundle.field_invalid", map[string]any{"Field": "titles"})
		return m, true
	}
	for i := 0; i+1 < len(titles.Content); i += 2 {
		k, v := titles.Content[i], titles.Content[i+1]
		switch {
		case !ValidLanguage(k.Value):
			errs.at(k, "bundle.language_invalid", map[string]any{"Language": k.Value})
			continue
		case known && !languages[k.Value]:
			errs.at(k, "bundle.language_unknown", map[string]any{"Language": k.Value})
			continue
		case bundleHas(m.titles, k.Value):
			errs.at(k, "bundle.field_duplicate", map[string]any{"Field": k.Value})
			continue
		case v.Kind != yaml.ScalarNode:
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": k.Value})
			continue
		}
		title := strings.TrimSpace(v.Value)
		if key, args := bundleTitleProblem(title); key != "" {
			errs.at(v, key, args)
		}
		m.titles[k.Value] = title
	}
	for _, lang := range Languages {
		if known && languages[lang] && !bundleHas(m.titles, lang) {
			errs.at(titles, "bundle.module_title_missing", map[string]any{"Folder": m.folder, "Language": lang})
		}
	}
	return m, true
}

func bundleHas[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// WriteBundle lays a course out as files: path -> content, the layout
// ReadBundle reads. It refuses only what would make unsafe or ambiguous paths;
// the content itself was validated when it was entered.
func WriteBundle(b Bundle) (map[string][]byte, error) {
	c := b.Course
	files := map[string][]byte{}
	if !ValidSlug(c.Slug) {
		return nil, fmt.Errorf("%w: slug %q", ErrInvalid, c.Slug)
	}
	yml, err := courseYAML(c)
	if err != nil {
		return nil, err
	}
	files[courseFile] = yml
	for _, m := range c.Modules {
		if !moduleFolderPattern.MatchString(m.Key) || m.Key == imagesFolder {
			return nil, fmt.Errorf("%w: module key %q", ErrInvalid, m.Key)
		}
		for i, l := range m.Lessons {
			for lang, text := range l.Texts {
				name := fmt.Sprintf("%02d-%s.%s.md", i+1, l.Key, lang)
				p := m.Key + "/" + name
				if !lessonNamePattern.MatchString(name) {
					return nil, fmt.Errorf("%w: lesson file %q", ErrInvalid, p)
				}
				if _, dup := files[p]; dup {
					return nil, fmt.Errorf("%w: %s twice", ErrInvalid, p)
				}
				files[p] = lessonFile(text)
			}
		}
	}
	for _, img := range b.Images {
		if !ValidImageName(img.Name) {
			return nil, fmt.Errorf("%w: image name %q", ErrInvalid, img.Name)
		}
		p := imagesFolder + "/" + img.Name
		if _, dup := files[p]; dup {
			return nil, fmt.Errorf("%w: %s twice", ErrInvalid, p)
		}
		files[p] = img.Data
	}
	return files, nil
}

// lessonFile writes "# Title", a blank line and the body. A line break in a
// title would end the heading, so it becomes a space.
func lessonFile(t LessonText) []byte {
	title := strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(strings.TrimSpace(t.Title))
	var b bytes.Buffer
	b.WriteString("# " + title + "\n")
	if body := trimLessonBody(t.Body); body != "" {
		b.WriteString("\n" + body + "\n")
	}
	return b.Bytes()
}

// courseYAML writes course.yaml with its keys in the documented order, so that
// exported files look like the ones instructors write by hand.
func courseYAML(c Course) ([]byte, error) {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	quoted := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	mapping := func(kv ...*yaml.Node) *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Content: kv} }

	audiences := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, a := range Audiences {
		for _, x := range c.Audiences {
			if a == x {
				audiences.Content = append(audiences.Content, str(string(a)))
				break
			}
		}
	}
	langs, err := writeOrder(c.Texts, c.DefaultLanguage)
	if err != nil {
		return nil, err
	}
	translations := mapping()
	for _, lang := range langs {
		t := c.Texts[lang]
		translations.Content = append(translations.Content, str(lang),
			mapping(str("title"), quoted(t.Title), str("summary"), quoted(t.Summary)))
	}
	modules := &yaml.Node{Kind: yaml.SequenceNode}
	for _, m := range c.Modules {
		mlangs, err := writeOrder(m.Titles, c.DefaultLanguage)
		if err != nil {
			return nil, err
		}
		titles := mapping()
		for _, lang := range mlangs {
			titles.Content = append(titles.Content, str(lang), quoted(m.Titles[lang]))
		}
		modules.Content = append(modules.Content, mapping(str("folder"), str(m.Key), str("titles"), titles))
	}
	root := mapping(
		str("slug"), str(c.Slug),
		str("default_language"), str(c.DefaultLanguage),
		str("audiences"), audiences,
		str("level"), str(string(c.Level)),
		str("hours"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(c.Hours)},
		str("translations"), translations,
		str("modules"), modules,
	)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writeOrder lists a text map's languages, the default first (as instructors
// write them) and the others in Aula's order.
func writeOrder[V any](texts map[string]V, def string) ([]string, error) {
	for lang := range texts {
		if !ValidLanguage(lang) {
			return nil, fmt.Errorf("%w: language %q", ErrInvalid, lang)
		}
	}
	var langs []string
	if bundleHas(texts, def) {
		langs = append(langs, def)
	}
	for _, lang := range Languages {
		if lang != def && bundleHas(texts, lang) {
			langs = append(langs, lang)
		}
	}
	return langs, nil
}

// WriteBundleZip writes the bundle's files as a zip, course.yaml first and the
// rest in path order, so that the same course always gives the same bytes.
func WriteBundleZip(b Bundle, w io.Writer) error {
	files, err := WriteBundle(b)
	if err != nil {
		return err
	}
	paths := SortKeys(files)
	sort.SliceStable(paths, func(i, j int) bool { return paths[i] == courseFile && paths[j] != courseFile })
	zw := zip.NewWriter(w)
	for _, p := range paths {
		method := zip.Deflate
		if strings.HasPrefix(p, imagesFolder+"/") {
			method = zip.Store // already compressed
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p, Method: method})
		if err != nil {
			return err
		}
		if _, err := fw.Write(files[p]); err != nil {
			return err
		}
	}
	return zw.Close()
}
