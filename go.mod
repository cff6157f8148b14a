module github.com/modelviz/modelviz

go 1.26
