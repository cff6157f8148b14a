package pytorch

import "github.com/modelviz/modelviz/format/pickle"

func pickleLoad(b []byte) (int64, error) {
	res, err := pickle.Load(b, nil)
	if err != nil {
		return 0, err
	}
	return res.End, nil
}
