package lists

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// record is one row read from a file or an API response, before validation.
type record struct {
	row, line int64
	fields    []string
	// err is set when the row could not even be split into fields.
	err *RowError
}

// source yields records after a header.
type source interface {
	header() []string
	next() (record, error) // io.EOF at the end
}

// csvSource streams a CSV file: UTF-8 with or without a BOM, LF or CRLF line ends,
// quoted fields with embedded commas, quotes and newlines.
type csvSource struct {
	r    *csv.Reader
	head []string
	row  int64
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// newCSVSource reads the header. maxColumns bounds the number of columns.
func newCSVSource(r io.Reader, maxColumns int) (*csvSource, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty; the first row must name the columns (for example phone,first_name,last_name)", ErrBadFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header row: %v", ErrBadFile, err)
	}
	head = append([]string(nil), head...)
	if err := checkHeader(head, maxColumns); err != nil {
		return nil, err
	}
	return &csvSource{r: cr, head: head, row: 1}, nil
}

func checkHeader(head []string, maxColumns int) error {
	if maxColumns > 0 && len(head) > maxColumns {
		return fmt.Errorf("%w: the file has %d columns; at most %d are allowed (limits.list_columns)", ErrLimit, len(head), maxColumns)
	}
	seen := map[string]int{}
	for i := range head {
		head[i] = strings.TrimSpace(head[i])
		h := head[i]
		if !utf8.ValidString(h) {
			return fmt.Errorf("%w: header column %d is not UTF-8 text; save the file as UTF-8", ErrBadFile, i+1)
		}
		if h == "" {
			return fmt.Errorf("%w: header column %d has no name; name every column in the first row", ErrBadFile, i+1)
		}
		if j, dup := seen[strings.ToLower(h)]; dup {
			return fmt.Errorf("%w: header names column %q twice (columns %d and %d); rename one", ErrBadFile, h, j+1, i+1)
		}
		seen[strings.ToLower(h)] = i
	}
	return nil
}

func (s *csvSource) header() []string { return s.head }

func (s *csvSource) next() (record, error) {
	for {
		fields, err := s.r.Read()
		if errors.Is(err, io.EOF) {
			return record{}, io.EOF
		}
		s.row++
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader resumes at the next line; report the broken row precisely.
			return record{row: s.row, line: int64(pe.StartLine), err: &RowError{Row: s.row, Line: int64(pe.StartLine),
				Reason: fmt.Sprintf("malformed CSV at line %d, column %d: %v; put fields containing commas, quotes or line breaks in double quotes and double any quote inside them", pe.Line, pe.Column, pe.Err)}}, nil
		}
		if err != nil {
			return record{}, fmt.Errorf("lists: reading the file after row %d: %w", s.row-1, err)
		}
		line, _ := s.r.FieldPos(0)
		return record{row: s.row, line: int64(line), fields: append([]string(nil), fields...)}, nil
	}
}

// rawCSV encodes fields as one CSV line without the line end, for reports.
func rawCSV(fields []string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	return strings.TrimRight(b.String(), "\n")
}
