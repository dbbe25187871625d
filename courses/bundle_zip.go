package courses

import (
	"archive/zip"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Limits on zips, checked before anything is extracted.
const (
	MaxZipEntries    = 1000
	MaxZipTotalBytes = 50 << 20
	MaxZipEntryBytes = 10 << 20
	MaxZipRatio      = 100
	zipRatioMinBytes = 1 << 20 // small entries compress well without being bombs
)

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
