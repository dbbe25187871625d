package courses

import (
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Bundle is a course read from files, with its images. The files are what an
// instructor edits in a text editor and shares as a zip.
type Bundle struct {
	Course Course // IDs, Status, OwnerID and InstructorIDs are left zero
	Images []Image
	// Questions are each module's quiz's questions, in the quiz's order, by module key;
	// only Category and Question are set.
	Questions map[string][]BankQuestion
	// Certificate is the certificate: block of course.yaml; nil when it has none, and then
	// an import leaves the course's certificate settings as they are (a new course gets
	// DefaultCertificateSettings).
	Certificate *CertificateSettings
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
	case len(parts) == 2 && quizFilePattern.MatchString(parts[1]):
		return MaxGIFTBytes
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
