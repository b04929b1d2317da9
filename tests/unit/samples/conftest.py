# Copyright: sfb.server contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
import pathlib
import sys

# `samples.samples` is importable from the tests of this folder.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
